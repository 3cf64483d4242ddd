"""Salesforce OAuth (password grant): an access token and the org's instance URL."""

from typing import TYPE_CHECKING

from connectors.core.auth import Token, TokenCache, form_token_request
from connectors.core.errors import ConfigurationError

if TYPE_CHECKING:
    from connectors.core.http import HttpClient
    from connectors.settings import Settings

CREDENTIALS = (
    "SALESFORCE_USERNAME",
    "SALESFORCE_PASSWORD",
    "SALESFORCE_CLIENT_ID",
    "SALESFORCE_CLIENT_SECRET",
)


def login_refused(status: int, body: object) -> ConfigurationError:
    return ConfigurationError(
        f"salesforce: login refused (HTTP {status}): {body}", (*CREDENTIALS, "SALESFORCE_LOGIN_URL")
    )


class SalesforceAuth(TokenCache):
    """The token and `instance_url` of the org, from `{login host}/services/oauth2/token`."""

    def __init__(self, settings: "Settings") -> None:
        super().__init__(self._login)
        self.settings = settings
        self.instance_url: str | None = None

    def _login(self, client: "HttpClient") -> Token:
        s = self.settings
        body = form_token_request(
            client,
            s.value("SALESFORCE_LOGIN_URL") + "/services/oauth2/token",
            {
                "grant_type": "password",
                "client_id": s["SALESFORCE_CLIENT_ID"],
                "client_secret": s["SALESFORCE_CLIENT_SECRET"],
                "username": s["SALESFORCE_USERNAME"],
                "password": s["SALESFORCE_PASSWORD"],
            },
            login_refused,
        )
        self.instance_url = str(body.get("instance_url") or s.value("SALESFORCE_LOGIN_URL"))
        self.instance_url = self.instance_url.rstrip("/")
        return Token(str(body["access_token"]))
