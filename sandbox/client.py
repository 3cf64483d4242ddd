"""Client-side helpers for talking to a Salesforce endpoint outside the connectors
(benchmark contenders, fake tests): the OAuth password grant, written once."""

from collections.abc import Mapping

import requests


def salesforce_password_grant(env: Mapping[str, str]) -> dict[str, str]:
    """The form of an OAuth password-grant request built from the contract's variables."""
    return {
        "grant_type": "password",
        "client_id": env["SALESFORCE_CLIENT_ID"],
        "client_secret": env["SALESFORCE_CLIENT_SECRET"],
        "username": env["SALESFORCE_USERNAME"],
        "password": env["SALESFORCE_PASSWORD"],
    }


def salesforce_login(
    env: Mapping[str, str], session: requests.Session | None = None, timeout: float = 30
) -> tuple[str, str]:
    """Log in with the password grant: returns (access token, instance URL)."""
    post = session.post if session is not None else requests.post
    answer = post(
        f"{env['SALESFORCE_LOGIN_URL']}/services/oauth2/token",
        data=salesforce_password_grant(env),
        timeout=timeout,
    )
    answer.raise_for_status()
    body = answer.json()
    return body["access_token"], body["instance_url"]
