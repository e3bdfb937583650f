"""Demo province: Tây Ninh (merged with Long An on 01/07/2025, code 80).

Agency codes follow the national electronic ID format (QCVN 102:2016) but are
illustrative for the demo: a real deployment imports its own codes.
"""

PROVINCE_CODE = "80"
SUFFIX = "H53"


def code(level2: int, level3: int = 0) -> str:
    return f"000.{level3:02d}.{level2:02d}.{SUFFIX}"


PPC = code(0)
CENTRE = code(1)

# (code, name, short name, kind, parent code, one-stop desk)
PROVINCIAL_AGENCIES = [
    (PPC, "Ủy ban nhân dân tỉnh Tây Ninh", "UBND tỉnh", "province_pc", None, False),
    (CENTRE, "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh", "TTPVHCC tỉnh", "service_centre", PPC, True),
    (code(3), "Sở Tư pháp tỉnh Tây Ninh", "Sở Tư pháp", "department", PPC, False),
    (code(3, 1), "Phòng Hành chính tư pháp", "P. HCTP", "division", code(3), False),
    (code(3, 2), "Phòng Lý lịch tư pháp", "P. LLTP", "division", code(3), False),
    (code(4), "Sở Tài chính tỉnh Tây Ninh", "Sở Tài chính", "department", PPC, False),
    (code(4, 1), "Phòng Đăng ký kinh doanh", "P. ĐKKD", "division", code(4), False),
    (code(5), "Sở Xây dựng tỉnh Tây Ninh", "Sở Xây dựng", "department", PPC, False),
    (code(5, 1), "Phòng Quản lý hoạt động xây dựng", "P. QLHĐXD", "division", code(5), False),
    (code(6), "Sở Nông nghiệp và Môi trường tỉnh Tây Ninh", "Sở NN&MT", "department", PPC, False),
    (code(6, 1), "Văn phòng Đăng ký đất đai", "VP ĐKĐĐ", "division", code(6), False),
    (code(6, 2), "Phòng Quản lý đất đai", "P. QLĐĐ", "division", code(6), False),
    (code(7), "Sở Y tế tỉnh Tây Ninh", "Sở Y tế", "department", PPC, False),
    (code(7, 1), "Phòng Nghiệp vụ Dược", "P. NVD", "division", code(7), False),
    (code(8), "Sở Công Thương tỉnh Tây Ninh", "Sở Công Thương", "department", PPC, False),
    (code(8, 1), "Phòng Quản lý thương mại", "P. QLTM", "division", code(8), False),
    (code(9), "Sở Giáo dục và Đào tạo tỉnh Tây Ninh", "Sở GD&ĐT", "department", PPC, False),
    (code(9, 1), "Phòng Quản lý chất lượng", "P. QLCL", "division", code(9), False),
    (code(10), "Sở Nội vụ tỉnh Tây Ninh", "Sở Nội vụ", "department", PPC, False),
    (code(10, 1), "Phòng Lao động - Việc làm", "P. LĐVL", "division", code(10), False),
    (code(11), "Sở Văn hóa, Thể thao và Du lịch tỉnh Tây Ninh", "Sở VHTTDL", "department", PPC, False),
    (code(11, 1), "Phòng Quản lý văn hóa và gia đình", "P. QLVH&GĐ", "division", code(11), False),
    (code(12), "Công an tỉnh Tây Ninh", "Công an tỉnh", "police", PPC, False),
    (code(12, 1), "Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "PC06", "division", code(12), False),
    (code(13), "Bộ Chỉ huy Quân sự tỉnh Tây Ninh", "BCHQS tỉnh", "military", PPC, False),
    (code(14), "Thuế tỉnh Tây Ninh", "Thuế tỉnh", "tax", PPC, False),
    (code(15), "Bảo hiểm xã hội tỉnh Tây Ninh", "BHXH tỉnh", "social_insurance", PPC, False),
    (code(16), "Sở Khoa học và Công nghệ tỉnh Tây Ninh", "Sở KH&CN", "department", PPC, False),
]

# (commune code from vietnam-provinces, level-2 number): each gets a People's Committee,
# a one-stop desk (Trung tâm phục vụ hành chính công xã/phường) and commune police.
COMMUNES = [
    ("27712", 31),  # Phường Tân An
    ("27694", 32),  # Phường Long An
    ("27715", 33),  # Phường Khánh Hậu
    ("27787", 34),  # Phường Kiến Tường
    ("25459", 35),  # Phường Tân Ninh
    ("25645", 36),  # Phường Hoà Thành
    ("25708", 37),  # Phường Trảng Bàng
    ("25654", 38),  # Phường Gò Dầu
    ("27727", 39),  # Xã Hưng Điền
    ("28114", 40),  # Xã Rạch Kiến
    ("25657", 41),  # Xã Thạnh Đức
    ("25549", 42),  # Xã Tân Phú
]


def commune_agency_codes(level2: int) -> dict[str, str]:
    return {"pc": code(level2), "desk": code(level2, 1), "police": code(level2, 2)}
