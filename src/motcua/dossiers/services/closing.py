"""Closing (kết thúc): the result (đã xử lý xong) and its return, stopping, withdrawal, and the
applicant's rating recorded on the returned dossier."""

from __future__ import annotations

from motcua.common.errors import InvalidInput
from motcua.dossiers.files import attachable
from motcua.dossiers.models import Dossier, DossierResult, ReturnMethod
from motcua.dossiers.services._core import Ctx, act, handles, required_text
from motcua.dossiers.services.steps import finish_current, start_template_step


@handles("stop")
def stop(code: str, actor, *, reason: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        finish_current(ctx, "cancelled")
        ctx.dossier.ended_at = ctx.dossier.ended_at or ctx.now
        ctx.dossier.paused_at = None
        return {"reason": required_text(reason, "reason")}

    return act(code, "stop", actor, version, apply)


@handles("withdraw")
def withdraw(code: str, actor, *, reason: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        finish_current(ctx, "cancelled")
        if d.received_at is not None:
            d.ended_at = d.ended_at or ctx.now
        d.paused_at = None
        return {"reason": required_text(reason, "reason")}

    return act(code, "withdraw", actor, version, apply)


@handles("resolve")
def resolve(
    code: str, actor, *, results: list[dict] | None = None, comment: str = "", version: int | None = None
) -> Dossier:
    """Record the result documents; the result goes to the desk for return (status 9)."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        if not results:
            raise InvalidInput(
                "results_required", "Phải có ít nhất một giấy tờ kết quả.", "At least one result document is required."
            )
        rows = [{**r, "file_ref": attachable(ctx.actor, r.get("file_ref"), d)} for r in results]
        DossierResult.objects.bulk_create(DossierResult(dossier=d, **r) for r in rows)
        current = finish_current(ctx, "resolved", comment)
        d.ended_at = ctx.now
        after = current.template_order if current else None
        return_step = next(
            (t for t in ctx.template if after is not None and t.order > after and t.role == "receptionist"), None
        )
        if return_step is not None:
            start_template_step(ctx, return_step)
        return {"results": [r.get("code") for r in results], "comment": comment}

    return act(code, "resolve", actor, version, apply)


@handles("return")
def return_result(code: str, actor, *, method: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        if method not in ReturnMethod.values:
            raise InvalidInput(
                "invalid_return_method",
                "Hình thức trả kết quả không hợp lệ (counter, post, online).",
                "Invalid return method (counter, post, online).",
            )
        d = ctx.dossier
        finish_current(ctx, "returned")
        d.returned_at, d.return_method = ctx.now, method
        return {"method": method}

    return act(code, "return", actor, version, apply)


@handles("rate")
def rate(code: str, actor, *, score: int) -> Dossier:
    """The applicant's rating, recorded on the dossier so the index (5.4) and the sync carry it."""

    def apply(ctx: Ctx) -> dict:
        ctx.dossier.satisfaction = score
        return {"score": score}

    return act(code, "rate", actor, None, apply)
