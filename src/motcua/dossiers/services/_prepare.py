"""Validation of a new dossier at the boundary: applicant, channel, desk, competent agency,
components. Raises clear domain errors before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from motcua.catalog.formschema import validate_form_data
from motcua.catalog.models import ProcedureVersion
from motcua.common.errors import InvalidInput
from motcua.dossiers.authz import Forbidden, is_citizen
from motcua.dossiers.files import attachable
from motcua.dossiers.models import ApplicantType, Channel
from motcua.identity.cccd import validate_cccd, validate_phone
from motcua.org import selectors as org
from motcua.org.models import Agency, Commune


@dataclass
class Prepared:
    channel: int
    applicant_name: str
    id_number: str
    phone: str
    desk: Agency
    competent: Agency
    commune: Commune | None
    components: list[dict]
    form_data: dict


def prepare(actor, sub, version: ProcedureVersion) -> Prepared:
    name = (sub.applicant_name or "").strip()
    if not name or len(name) > 255:
        raise InvalidInput(
            "applicant_name_required", "Phải nhập họ tên người nộp.", "The applicant's name is required."
        )
    if sub.applicant_type not in ApplicantType.values:
        raise InvalidInput("invalid_applicant_type", "Loại đối tượng không hợp lệ.", "Invalid applicant type.")
    channel = _channel(actor, sub, version)
    commune = _commune(sub.commune_code)
    competent = _competent(version, commune)
    desk = _desk(actor, sub, competent)
    return Prepared(
        channel=channel,
        applicant_name=name,
        id_number=_id_number(sub.applicant_type, sub.applicant_id_number),
        phone=validate_phone(sub.applicant_phone),
        desk=desk,
        competent=competent,
        commune=commune or competent.commune,
        components=_components(version, sub.components or [], actor),
        form_data=validate_form_data(version.form_schema, sub.form_data or {}),
    )


def _channel(actor, sub, version: ProcedureVersion) -> int:
    if is_citizen(actor):
        if version.online_level == ProcedureVersion.OnlineLevel.NONE:
            raise InvalidInput(
                "procedure_not_online",
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại bộ phận một cửa.",
                "This procedure is not offered online; submit it at a one-stop desk.",
            )
        return Channel.ONLINE
    channel = sub.channel or Channel.COUNTER
    if channel not in (Channel.COUNTER, Channel.POST):
        raise InvalidInput(
            "invalid_channel",
            "Bộ phận một cửa tiếp nhận trực tiếp (1) hoặc qua bưu chính (3).",
            "A desk takes dossiers in at the counter (1) or by post (3).",
        )
    return channel


def _commune(code: str | None) -> Commune | None:
    if not code:
        return None
    commune = Commune.objects.filter(code=code).first()
    if commune is None:
        raise InvalidInput("unknown_commune", f"Không có xã/phường mã '{code}'.", f"Unknown commune '{code}'.")
    return commune


def _competent(version: ProcedureVersion, commune: Commune | None) -> Agency:
    if version.competent_agency_id:
        return version.competent_agency
    kind = version.competent_agency_kind
    if version.level == ProcedureVersion.Level.COMMUNE or kind in ("commune_pc", "commune_desk", "police"):
        if commune is None:
            raise InvalidInput(
                "commune_required",
                "Thủ tục cấp xã: phải chọn xã, phường nơi giải quyết.",
                "A commune-level procedure needs the commune that handles it.",
            )
        found = org.agency_of_kind(kind, commune=commune.code, province=commune.province_id)
        if found is None or found.commune_id != commune.code:
            raise InvalidInput(
                "no_competent_agency",
                f"{commune.name} chưa có cơ quan giải quyết thủ tục này trên hệ thống.",
                f"No agency in {commune.name} handles this procedure here.",
            )
        return found
    found = Agency.objects.filter(kind=kind, active=True).first()
    if found is None:
        raise InvalidInput("no_competent_agency", "Chưa có cơ quan giải quyết.", "No competent agency.")
    return found


def _desk(actor, sub, competent: Agency) -> Agency:
    if is_citizen(actor):
        desk = org.desk_for(competent)
        if desk is None:
            raise InvalidInput("no_desk", "Chưa có bộ phận một cửa tiếp nhận.", "No one-stop desk receives it.")
        return desk
    desks = org.desks_of(actor)
    if sub.receiving_agency_code:
        desks = [d for d in desks if d.code == sub.receiving_agency_code]
    if not desks:
        raise Forbidden(
            "not_a_receptionist",
            "Chỉ cán bộ tiếp nhận của bộ phận một cửa mới nhận hồ sơ trực tiếp.",
            "Only one-stop desk receptionists take dossiers in.",
        )
    return desks[0]


def _id_number(applicant_type: int, number: str) -> str:
    value = (number or "").strip()
    if not value:
        return ""
    if applicant_type == ApplicantType.CITIZEN:
        return validate_cccd(value)
    if not re.fullmatch(r"\d{10}(-\d{3})?", value):
        raise InvalidInput(
            "invalid_tax_code",
            "Mã số doanh nghiệp/mã số thuế gồm 10 chữ số (hoặc 10-3 với chi nhánh).",
            "Enterprise/tax code is 10 digits (or 10-3 for a branch).",
        )
    return value


def component_rows(version: ProcedureVersion, given: list[dict], actor, dossier=None, catalog=None) -> list[dict]:
    """The dossier's component rows for `given` items: known codes of the procedure, files the actor
    may attach (`dossiers.files`). `catalog`: the version's components by code, when already read."""
    catalog = catalog if catalog is not None else {c.code: c for c in version.components.all()}
    out = []
    for item in given:
        code = item.get("code")
        if code not in catalog:
            raise InvalidInput(
                "unknown_component", f"Thành phần hồ sơ '{code}' không thuộc thủ tục.", f"Unknown component '{code}'."
            )
        out.append(
            {
                "code": code,
                "name": catalog[code].name,
                "provided": bool(item.get("provided", True)),
                "file_ref": attachable(actor, item.get("file_ref"), dossier),
                "digitized": bool(item.get("digitized", False)),
                "reused": bool(item.get("reused", False)),
                "from_data_store": bool(item.get("from_data_store", False)),
            }
        )
    return out


def _components(version: ProcedureVersion, given: list[dict], actor) -> list[dict]:
    catalog = {c.code: c for c in version.components.all()}  # read once for both checks
    out = component_rows(version, given, actor, catalog=catalog)
    seen = {c["code"] for c in out}
    missing = [c.name for c in catalog.values() if c.required and c.code not in seen]
    if missing:
        raise InvalidInput(
            "missing_components",
            "Thiếu thành phần hồ sơ bắt buộc: " + "; ".join(missing),
            "Required components are missing: " + "; ".join(missing),
            missing=missing,
        )
    return out
