"""Marketo Identity: client-credentials access tokens (about an hour each)."""

from typing import TYPE_CHECKING

from connectors.core.auth import Token, TokenCache, form_token_request
from connectors.core.errors import ConfigurationError

if TYPE_CHECKING:
    from connectors.core.http import HttpClient
    from connectors.settings import Settings

CREDENTIALS = ("MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET", "MARKETO_BASE_URL")


def token_refused(status: int, body: object) -> ConfigurationError:
    return ConfigurationError(
        f"marketo: token request refused (HTTP {status}): {body}", CREDENTIALS
    )


class MarketoAuth(TokenCache):
    def __init__(self, settings: "Settings") -> None:
        super().__init__(self._token)
        self.settings = settings

    def _token(self, client: "HttpClient") -> Token:
        s = self.settings
        body = form_token_request(
            client,
            s.value("MARKETO_BASE_URL") + "/identity/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": s["MARKETO_CLIENT_ID"],
                "client_secret": s["MARKETO_CLIENT_SECRET"],
            },
            token_refused,
        )
        try:
            expires_in = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600.0
        return Token(str(body["access_token"]), expires_in)
