"""The transition table: every legal edge of the dossier state machine, who may take it, and why.

Status codes are the national ones (1–10). `target=None` means the status does not change
(e.g. forwarding between steps while "being processed") or is computed (resubmission returns
to the status the dossier was paused in).
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.dossiers.models import Status as S

DESK = frozenset({"receptionist"})
HANDLERS = frozenset({"specialist", "division_head", "agency_leader"})
HEADS = frozenset({"division_head", "agency_leader"})


@dataclass(frozen=True)
class Edge:
    action: str
    sources: frozenset[int]
    target: int | None
    roles: frozenset[str]
    citizen: bool  # the owner of the dossier may take it
    reason_vi: str
    legal_basis: str


def _edge(action, sources, target, roles, citizen, reason_vi, legal_basis) -> Edge:
    return Edge(action, frozenset(sources), target, frozenset(roles), citizen, reason_vi, legal_basis)


_D118 = "Nghị định 118/2025/NĐ-CP"
TRANSITIONS: dict[str, Edge] = {
    e.action: e
    for e in [
        _edge("submit", [], S.SUBMITTED, DESK, True, "Nộp hồ sơ", f"{_D118}; Nghị định 45/2020/NĐ-CP"),
        _edge(
            "receive",
            [S.SUBMITTED],
            S.RECEIVED,
            DESK,
            False,
            "Tiếp nhận hồ sơ đầy đủ, hợp lệ; cấp Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)",
            _D118,
        ),
        _edge("refuse", [S.SUBMITTED], S.REFUSED, DESK, False, "Từ chối tiếp nhận hồ sơ (Mẫu 03)", _D118),
        _edge(
            "request-supplement",
            [S.SUBMITTED, S.RECEIVED, S.PROCESSING],
            S.SUPPLEMENT,
            DESK | HANDLERS,
            False,
            "Yêu cầu bổ sung, hoàn thiện hồ sơ một lần, đầy đủ (Mẫu 02)",
            _D118,
        ),
        _edge(
            "resubmit",
            [S.SUPPLEMENT],
            None,
            DESK,
            True,
            "Nộp bổ sung hồ sơ; tiếp tục tính thời gian giải quyết",
            _D118,
        ),
        _edge(
            "forward",
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Chuyển hồ sơ cho bước xử lý tiếp theo (Phiếu kiểm soát quá trình)",
            _D118,
        ),
        _edge("send-back", [S.PROCESSING], None, HANDLERS, False, "Trả lại bước xử lý trước", _D118),
        _edge("reassign", [S.RECEIVED, S.PROCESSING], None, DESK | HEADS, False, "Phân công lại người xử lý", _D118),
        _edge(
            "transfer",
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Chuyển hồ sơ liên thông sang cơ quan khác",
            f"{_D118} (cơ chế một cửa liên thông)",
        ),
        _edge(
            "request-payment",
            [S.PROCESSING],
            S.PAYMENT,
            HANDLERS,
            False,
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Nghị định 45/2020/NĐ-CP",
        ),
        _edge(
            "confirm-payment",
            [S.PAYMENT],
            S.PROCESSING,
            DESK | HANDLERS,
            False,
            "Xác nhận đã thực hiện nghĩa vụ tài chính",
            "Nghị định 45/2020/NĐ-CP",
        ),
        _edge(
            "reschedule",
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            None,
            HEADS,
            False,
            "Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04), chỉ một lần",
            _D118,
        ),
        _edge(
            "stop",
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            S.STOPPED,
            HEADS,
            False,
            "Dừng giải quyết hồ sơ (Thông báo dừng, Mẫu 05)",
            f"{_D118}; Thông tư 03/2025/TT-VPCP",
        ),
        _edge(
            "withdraw",
            [S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT],
            S.WITHDRAWN,
            DESK,
            True,
            "Công dân yêu cầu rút hồ sơ",
            _D118,
        ),
        _edge(
            "resolve",
            [S.RECEIVED, S.PROCESSING],
            S.RESOLVED,
            HEADS,
            False,
            "Đã xử lý xong; có kết quả giải quyết",
            _D118,
        ),
        _edge("return", [S.RESOLVED], S.RETURNED, DESK, False, "Trả kết quả cho tổ chức, cá nhân", _D118),
    ]
}

ACTIONS = tuple(a for a in TRANSITIONS if a != "submit")

# Facts recorded on a dossier without moving it (not offered as API actions).
RECORDINGS: dict[str, Edge] = {
    "rate": _edge(
        "rate",
        [S.RETURNED],
        None,
        [],
        True,
        "Đánh giá mức độ hài lòng về việc giải quyết thủ tục hành chính",
        f"{_D118}; Nghị định 61/2018/NĐ-CP (Điều 31–32)",
    )
}
