"""HTTP client for the national portal (or our own monitor): token auth, HMAC-signed bodies,
keep-alive connections, and every transport failure turned into one exception type."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode, urlsplit

from motcua.protocol import signing


class TransportError(Exception):
    """The request may or may not have arrived: retry the whole batch (the receiver is idempotent)."""


class Refused(Exception):
    """The portal refused the request itself (400, 413, 422: its shape or size), with a code: sending
    it again unchanged would be refused again. The worker splits the batch to isolate what it refuses."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"HTTP {status} [{code}] {message}")
        self.status, self.code, self.message = status, code, message


REFUSALS = (400, 413, 422)


class NationalClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, timeout: float = 15.0):
        parts = urlsplit(base_url.rstrip("/"))
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port or (443 if self.https else 80)
        self.prefix = parts.path
        self.client_id, self.secret, self.timeout = client_id, client_secret, timeout
        self._conn: http.client.HTTPConnection | None = None
        self._token: str | None = None
        self._token_at = 0.0

    # -- plumbing -----------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        """One HTTP exchange: (status, raw body)."""
        try:
            conn = self._connection()
            conn.request(method, self.prefix + path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from None

    def _request(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, dict]:
        status, raw = self._exchange(method, path, body, headers)
        if status >= 500:
            raise TransportError(f"HTTP {status}")
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            if status in REFUSALS:  # e.g. a proxy's own 413 page
                return status, {"code": f"http_{status}"}
            raise TransportError(f"HTTP {status}: not a JSON object")
        return status, data

    def _authorized(self) -> dict:
        if self._token is None or time.monotonic() - self._token_at > 3000:
            body = json.dumps({"client_id": self.client_id, "client_secret": self.secret}).encode()
            status, data = self._request("POST", "/auth", body, {"Content-Type": "application/json"})
            if status != 200 or "access_token" not in data:
                raise TransportError(f"auth refused: HTTP {status} {data.get('code', '')}")
            self._token, self._token_at = data["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}

    def _signed_post(self, path: str, payload: dict) -> dict:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        signature = signing.sign(self.secret, body)
        for attempt in (1, 2):
            headers = {"Content-Type": "application/json", "X-Signature": signature, **self._authorized()}
            status, data = self._request("POST", path, body, headers)
            if status == 401 and attempt == 1:
                self._token = None  # expired: log in again once
                continue
            if status in REFUSALS:
                raise Refused(status, str(data.get("code") or "refused"), str(data.get("message_en") or ""))
            if status != 200:
                raise TransportError(f"HTTP {status}: {data.get('code', '')} {data.get('message_en', '')}")
            return data
        raise TransportError("unauthorized")

    # -- the services ---------------------------------------------------------------------------
    def push(self, service: str, items: list[dict], total: int | None = None) -> list[dict]:
        """One answer per item (`accepted`, or `rejected` with `MaLoi` and `LyDo`). The request carries
        its signed sending time, so a replayed batch cannot reset the declared total."""
        payload = {"service": service, "isUpdating": "True", "data": items, "thoiDiemGui": signing.now_ms()}
        if total is not None:
            payload["tongSoHoSo"] = total
        results = self._signed_post("/integration", payload).get("results")
        if not isinstance(results, list):
            raise TransportError("answer without results")
        return [r for r in results if isinstance(r, dict)]

    def report(self, figures: dict) -> None:
        self._signed_post("/report", figures)

    def get(self, path: str, params: dict) -> dict:
        status, data = self._request("GET", f"{path}?{urlencode(params)}", None, self._authorized())
        if status != 200:
            raise TransportError(f"HTTP {status}")
        return data
