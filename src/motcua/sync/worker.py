"""The delivery worker: claim due dossiers, send their latest snapshots and progress, ack what the
portal accepted, dead-letter what it refused, back off on transport failures. Any number of
workers may run; a killed worker's lease expires and another takes the batch over."""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.db import close_old_connections

from motcua.common import bounds
from motcua.dossiers.models import Dossier
from motcua.sync import outbox, payload
from motcua.sync.client import NationalClient, Refused, TransportError

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
        """One batch; returns how many dossiers the portal accepted. Each dossier is answered on its
        own: accepted ones are acked, refused ones dead-lettered with the portal's code and reason
        (its snapshot or its progress), unanswered ones retried later."""
        ids = outbox.claim(self.batch, self.worker_id)
        if not ids:
            return 0
        pairs = payload.snapshots(ids)
        versions = {i: s["PhienBan"] for i, s in pairs}
        codes = {i: s["MaHoSo"] for i, s in pairs}
        accepted: dict[int, int] = {}
        rejected: dict[int, str] = {}
        try:
            answers = self._push("DongBoHoSoMC", [s for _, s in pairs], total=self.total())
            for i, code in codes.items():
                answer = answers.get(code)
                if answer is not None and _ok(answer):
                    accepted[i] = versions[i]
                elif answer is not None:
                    rejected[i] = _reason(answer)
            if accepted:
                steps = self._push("CapNhatTienDoHoSoMC", payload.progress(list(accepted), versions, codes))
                for i in list(accepted):
                    answer = steps.get(codes[i])
                    if answer is not None and not _ok(answer):
                        del accepted[i]
                        rejected[i] = f"CapNhatTienDoHoSoMC: {_reason(answer)}"
        except TransportError as exc:
            log.warning("sync batch failed, backing off", extra={"size": len(ids), "error": str(exc)})
            outbox.back_off(ids, bounds.printable(exc))
            return 0
        outbox.ack(accepted)
        outbox.reject(rejected)
        if rejected:
            log.warning("dossiers refused by the portal", extra={"count": len(rejected)})
        unanswered = [i for i in ids if i not in accepted and i not in rejected]
        if unanswered:
            outbox.back_off(unanswered, "no result for this dossier")
        return len(accepted)

    def _push(self, service: str, items: list[dict], total: int | None = None) -> dict[str, dict]:
        """The portal's answer for each item, by MaHoSo. A request refused whole (its size or shape:
        400, 413) is split in halves until the refused items stand alone; a single item refused so
        is answered with the refusal's code."""
        if not items:
            return {}
        try:
            results = self.client.push(service, items, total=total)
        except Refused as exc:
            if len(items) == 1:
                return {items[0]["MaHoSo"]: {"KetQua": "rejected", "MaLoi": exc.code, "LyDo": str(exc)}}
            half = len(items) // 2
            return self._push(service, items[:half], total) | self._push(service, items[half:], total)
        answers = {}
        for position, result in enumerate(results):
            code = result.get("MaHoSo")
            if code is None and len(results) == len(items):  # answered in order, without the code
                code = items[position]["MaHoSo"]
            answers[code] = result
        return answers

    def run(self, poll: float = 0.5, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        while not self.stopping:
            close_old_connections()
            delivered = self.run_once()
            if once and not delivered:
                return
            if not delivered:
                time.sleep(poll)


def _ok(answer: dict) -> bool:
    return answer.get("KetQua") == "accepted"


def _reason(answer: dict) -> str:
    """The portal's reason, made safe to store (it comes from another system)."""
    return bounds.printable(answer.get("LyDo") or answer.get("MaLoi") or "rejected")
