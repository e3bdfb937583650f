"""A small, valid catalog file in the interchange format, for tests to vary."""

import copy

from motcua.demo import org_data as D

BIRTH = {
    "code": "1.001193",
    "versions": [
        {
            "effective_from": "2025-07-01",
            "name": "Đăng ký khai sinh",
            "field": "HOTICH",
            "level": "commune",
            "competent_agency_kind": "commune_pc",
            "online_level": "full",
            "full_process_eligible": True,
            "statutory_time": "1",
            "statutory_time_unit": "working_days",
            "applicant_types": ["Công dân Việt Nam"],
            "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
            "publication_decision_number": "1234/QĐ-UBND",
            "publication_decision_date": "2025-06-30",
            "paper_result_required": True,
            "fees": [{"code": "LP01", "name": "Lệ phí đăng ký khai sinh", "kind": "le_phi", "amount_vnd": 0}],
            "components": [
                {"code": "TK", "name": "Tờ khai đăng ký khai sinh", "form_template": "TK-DKKS.docx"},
                {"code": "GCS", "name": "Giấy chứng sinh", "originals": 1},
            ],
            "results": [{"code": "GKS", "name": "Giấy khai sinh (bản chính)", "electronic": True}],
            "steps": [
                {"name": "Tiếp nhận hồ sơ", "role": "receptionist", "budget": "2", "budget_unit": "working_hours"},
                {"name": "Thẩm định", "role": "specialist", "budget": "4", "budget_unit": "working_hours"},
                {"name": "Ký duyệt", "role": "agency_leader", "budget": "2", "budget_unit": "working_hours"},
            ],
        }
    ],
}

CONSTRUCTION = {
    "code": "1.009972",
    "versions": [
        {
            "effective_from": "2025-07-01",
            "name": "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II",
            "field": "XAYDUNG",
            "level": "province",
            "competent_agency": D.code(5),
            "competent_agency_kind": "department",
            "online_level": "partial",
            "statutory_time": "20",
            "statutory_time_unit": "days",
            "fees": [{"code": "LP", "name": "Lệ phí cấp giấy phép xây dựng", "kind": "le_phi", "amount_vnd": 150000}],
            "components": [{"code": "DN", "name": "Đơn đề nghị cấp giấy phép xây dựng"}],
            "results": [{"code": "GPXD", "name": "Giấy phép xây dựng", "electronic": False}],
            "steps": [
                {"name": "Tiếp nhận", "role": "receptionist", "budget": "0.5"},
                {"name": "Thẩm định", "role": "specialist", "unit": D.code(5, 1), "budget": "10"},
                {
                    "name": "Lấy ý kiến Công an tỉnh (liên thông)",
                    "role": "specialist",
                    "agency": D.code(12),
                    "inter_agency": True,
                    "budget": "3",
                },
                {"name": "Ký", "role": "agency_leader", "budget": "1"},
            ],
        }
    ],
}


def catalog(*procedures) -> dict:
    return {
        "format": "motcua.catalog/1",
        "fields": [{"code": "HOTICH", "name": "Hộ tịch"}, {"code": "XAYDUNG", "name": "Xây dựng"}],
        "procedures": [copy.deepcopy(p) for p in (procedures or (BIRTH, CONSTRUCTION))],
    }
