"""The transition table: every legal edge of the dossier state machine, who may take it, where
that right is judged, and why. The single source for the services, the API, the pages and the docs
(`motcua docs transitions` prints the table of docs/dossiers.md; a test keeps them equal).

Status codes are the national ones (1–10). `target=None` means the status does not change
(e.g. forwarding between steps while "being processed") or is computed (resubmission returns
to the status the dossier was paused in).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Status as S

DESK = frozenset({"receptionist"})
HANDLERS = frozenset({"specialist", "division_head", "agency_leader"})
HEADS = frozenset({"division_head", "agency_leader"})


class Where(StrEnum):
    """Where a staff member's role is judged for an edge."""

    DESK = "desk"  # the receiving desk (bộ phận một cửa)
    STEP = "step"  # the unit or agency of the current step (the desk when there is none)
    DESK_OR_STEP = "desk_or_step"


@dataclass(frozen=True)
class Edge:
    action: str
    sources: frozenset[int]
    target: int | None
    roles: frozenset[str]
    citizen: bool  # the owner of the dossier may take it
    reason_vi: str
    legal_basis: str
    at: Where = Where.STEP
    label: str = ""  # the button's words (English msgid, Vietnamese in the catalogue)


def _edge(action, sources, target, roles, citizen, reason_vi, legal_basis, at=Where.STEP, label="") -> Edge:
    return Edge(action, frozenset(sources), target, frozenset(roles), citizen, reason_vi, legal_basis, at, label)


_D118 = "Nghị định 118/2025/NĐ-CP"
_D45 = "Nghị định 45/2020/NĐ-CP"
DESK_AT, STEP_AT = Where.DESK, Where.STEP
TRANSITIONS: dict[str, Edge] = {
    e.action: e
    for e in [
        _edge("submit", [], S.SUBMITTED, DESK, True, "Nộp hồ sơ", f"{_D118}; {_D45}", DESK_AT, _("Submit")),
        _edge(
            "receive",
            [S.SUBMITTED],
            S.RECEIVED,
            DESK,
            False,
            "Tiếp nhận hồ sơ đầy đủ, hợp lệ; cấp Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)",
            _D118,
            DESK_AT,
            _("Receive"),
        ),
        _edge(
            "refuse",
            [S.SUBMITTED],
            S.REFUSED,
            DESK,
            False,
            "Từ chối tiếp nhận hồ sơ (Mẫu 03)",
            _D118,
            DESK_AT,
            _("Refuse"),
        ),
        _edge(
            "request-supplement",
            [S.SUBMITTED, S.RECEIVED, S.PROCESSING],
            S.SUPPLEMENT,
            DESK | HANDLERS,
            False,
            "Yêu cầu bổ sung, hoàn thiện hồ sơ một lần, đầy đủ (Mẫu 02)",
            _D118,
            STEP_AT,
            _("Request a supplement"),
        ),
        _edge(
            "resubmit",
            [S.SUPPLEMENT],
            None,
            DESK,
            True,
            "Nộp bổ sung hồ sơ; tiếp tục tính thời gian giải quyết",
            _D118,
            DESK_AT,
            _("Submit the supplement"),
        ),
        _edge(
            "forward",
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Chuyển hồ sơ cho bước xử lý tiếp theo (Phiếu kiểm soát quá trình)",
            _D118,
            STEP_AT,
            _("Forward to the next step"),
        ),
        _edge(
            "send-back",
            [S.PROCESSING],
            None,
            HANDLERS,
            False,
            "Trả lại bước xử lý trước",
            _D118,
            STEP_AT,
            _("Send back"),
        ),
        _edge(
            "reassign",
            [S.RECEIVED, S.PROCESSING],
            None,
            DESK | HEADS,
            False,
            "Phân công lại người xử lý",
            _D118,
            STEP_AT,
            _("Reassign"),
        ),
        _edge(
            "transfer",
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Chuyển hồ sơ liên thông sang cơ quan khác",
            f"{_D118} (cơ chế một cửa liên thông)",
            STEP_AT,
            _("Transfer to another agency"),
        ),
        _edge(
            "request-payment",
            [S.PROCESSING],
            S.PAYMENT,
            HANDLERS,
            False,
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            _D45,
            STEP_AT,
            _("Request payment"),
        ),
        _edge(
            "confirm-payment",
            [S.PAYMENT],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Xác nhận đã thực hiện nghĩa vụ tài chính",
            _D45,
            Where.DESK_OR_STEP,
            _("Confirm payment"),
        ),
        _edge(
            "reschedule",
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            None,
            HEADS,
            False,
            "Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04), chỉ một lần",
            _D118,
            STEP_AT,
            _("Apologise and reschedule (Form 04)"),
        ),
        _edge(
            "stop",
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            S.STOPPED,
            HEADS,
            False,
            "Dừng giải quyết hồ sơ (Thông báo dừng, Mẫu 05)",
            f"{_D118}; Thông tư 03/2025/TT-VPCP",
            STEP_AT,
            _("Stop processing"),
        ),
        _edge(
            "withdraw",
            [S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            S.WITHDRAWN,
            DESK,
            True,
            "Công dân yêu cầu rút hồ sơ",
            _D118,
            DESK_AT,
            _("Withdraw at the applicant's request"),
        ),
        _edge(
            "resolve",
            [S.RECEIVED, S.PROCESSING],
            S.RESOLVED,
            HEADS,
            False,
            "Đã xử lý xong; có kết quả giải quyết",
            _D118,
            STEP_AT,
            _("Record the result"),
        ),
        _edge(
            "return",
            [S.RESOLVED],
            S.RETURNED,
            DESK,
            False,
            "Trả kết quả cho tổ chức, cá nhân",
            _D118,
            DESK_AT,
            _("Return the result"),
        ),
    ]
}

# Facts recorded on a dossier without moving it (not offered as lifecycle actions).
RECORDINGS: dict[str, Edge] = {
    "rate": _edge(
        "rate",
        [S.RETURNED],
        None,
        [],
        True,
        "Đánh giá mức độ hài lòng về việc giải quyết thủ tục hành chính",
        f"{_D118}; Nghị định 61/2018/NĐ-CP (Điều 31–32)",
        DESK_AT,
        _("Rate the service"),
    )
}


def edge_of(action: str) -> Edge | None:
    return TRANSITIONS.get(action) or RECORDINGS.get(action)


def lifecycle_edges() -> list[str]:
    """The actions taken on an existing dossier (not creation, not recordings), in table order."""
    return [a for a, e in TRANSITIONS.items() if e.sources]


def actions_from(status: int) -> list[str]:
    """The lifecycle actions the table allows from `status` (whoever takes them)."""
    return sorted(a for a in lifecycle_edges() if status in TRANSITIONS[a].sources)


# -- the table as documentation (docs/dossiers.md holds this text; a test keeps them equal) --------
_ROLE_NAMES = {
    "receptionist": "receptionist",
    "specialist": "specialist",
    "division_head": "division head",
    "agency_leader": "agency leader",
}
_WHERE_NAMES = {
    Where.DESK: "the receiving desk",
    Where.STEP: "the current step's unit or agency",
    Where.DESK_OR_STEP: "the desk or the current step",
}


def _statuses(codes) -> str:
    return ", ".join(str(int(c)) for c in sorted(codes)) or "—"


def _who(edge: Edge) -> str:
    staff = ", ".join(_ROLE_NAMES[r] for r in _ROLE_NAMES if r in edge.roles)
    return "; ".join(part for part in ["the applicant" if edge.citizen else "", staff] if part)


def markdown_table() -> str:
    """The transition table as Markdown, generated from the edges above."""
    lines = [
        "| action | from | to | who | judged at | reason (vi) | legal basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for edge in [*TRANSITIONS.values(), *RECORDINGS.values()]:
        target = f"{int(edge.target)} {S(edge.target).label}" if edge.target is not None else "unchanged / computed"
        lines.append(
            f"| {edge.action} | {_statuses(edge.sources)} | {target} | {_who(edge)} | "
            f"{_WHERE_NAMES[edge.at]} | {edge.reason_vi} | {edge.legal_basis} |"
        )
    return "\n".join(lines) + "\n"
