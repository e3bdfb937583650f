"""The delivery worker: claim due dossiers, send their latest snapshots and progress, ack what the
portal accepted, dead-letter what it refused, back off on transport failures. Any number of
workers may run; a killed worker's lease expires and another takes the batch over."""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.db import close_old_connections

from motcua.dossiers.models import Dossier
from motcua.sync import outbox, payload
from motcua.sync.client import NationalClient, TransportError

log = logging.getLogger("motcua.sync")


def client_from_settings() -> NationalClient:
    """The node's credentials come from settings (`motcua national register-node` prints them); the
    node never reads the monitor's tables, which in production live in another system."""
    client_id, secret = settings.MOTCUA_NATIONAL_CLIENT_ID, settings.MOTCUA_NATIONAL_CLIENT_SECRET
    if not client_id or not secret:
        raise RuntimeError("set MOTCUA_NATIONAL_CLIENT_ID and MOTCUA_NATIONAL_CLIENT_SECRET")
    return NationalClient(settings.MOTCUA_NATIONAL_URL, client_id, secret, settings.MOTCUA_NATIONAL_TIMEOUT)


class Worker:
    def __init__(self, client: NationalClient, batch: int = 1000, worker_id: str | None = None):
        self.client, self.batch = client, batch
        self.worker_id = worker_id or outbox.new_worker_id()
        self.stopping = False
        self._total, self._total_at = None, 0.0

    def total(self) -> int:
        if self._total is None or time.monotonic() - self._total_at > 60:
            self._total, self._total_at = Dossier.objects.count(), time.monotonic()
        return self._total

    def run_once(self) -> int:
        """One batch; returns how many dossiers the portal accepted."""
        ids = outbox.claim(self.batch, self.worker_id)
        if not ids:
            return 0
        pairs = payload.snapshots(ids)
        by_code = {s["MaHoSo"]: (i, s["PhienBan"]) for i, s in pairs}
        versions = {i: s["PhienBan"] for i, s in pairs}
        codes = {i: s["MaHoSo"] for i, s in pairs}
        try:
            results = self.client.push("DongBoHoSoMC", [s for _, s in pairs], total=self.total())
            self.client.push("CapNhatTienDoHoSoMC", payload.progress(list(versions), versions, codes))
        except TransportError as exc:
            log.warning("sync batch failed, backing off", extra={"size": len(ids), "error": str(exc)})
            outbox.back_off(ids, str(exc))
            return 0
        accepted, rejected = {}, {}
        for r in results:
            found = by_code.get(r.get("MaHoSo"))
            if found is None:
                continue
            if r.get("KetQua") == "accepted":
                accepted[found[0]] = found[1]
            else:
                rejected[found[0]] = r.get("LyDo") or "rejected"
        outbox.ack(accepted)
        outbox.reject(rejected)
        unanswered = [i for i in ids if i not in accepted and i not in rejected]
        if unanswered:
            outbox.back_off(unanswered, "no result for this dossier")
        return len(accepted)

    def run(self, poll: float = 0.5, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        while not self.stopping:
            close_old_connections()
            delivered = self.run_once()
            if once and not delivered:
                return
            if not delivered:
                time.sleep(poll)
