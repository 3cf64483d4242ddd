"""Salesforce OAuth (password grant): an access token and the org's instance URL."""

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connectors.core.auth import Token, TokenCache, form_token_request
from connectors.core.errors import ConfigurationError, UntrustedOriginError
from connectors.core.http import origin_of

if TYPE_CHECKING:
    from connectors.core.http import HttpClient
    from connectors.settings import Settings

# Where an org's API may live (instance URLs, My Domain); anything else is refused.
SALESFORCE_DOMAINS = (
    ".salesforce.com",
    ".force.com",
    ".cloudforce.com",
    ".database.com",
    ".salesforce.mil",
    ".sfcrmproducts.cn",
)


def is_salesforce_host(url: str, login_url: str) -> bool:
    """An https URL on a Salesforce domain, or the configured login URL's own origin."""
    if origin_of(url) == origin_of(login_url):
        return True
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host.endswith(d) for d in SALESFORCE_DOMAINS)


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
        login_url = s.value("SALESFORCE_LOGIN_URL")
        instance_url = str(body.get("instance_url") or login_url).rstrip("/")
        if not is_salesforce_host(instance_url, login_url):
            raise UntrustedOriginError(
                f"salesforce: the login answer's instance_url {origin_of(instance_url)} is "
                "neither a Salesforce domain nor SALESFORCE_LOGIN_URL's origin; refused, "
                "nothing was sent there"
            )
        client.trust(instance_url)
        self.instance_url = instance_url
        return Token(str(body["access_token"]))
