"""Deterministic demo data modelled on the "Siêu live hàng Việt" campaign (HCMC fair, Sept 2024).

The fair brought products from 45+ provinces; 19 creators ran 19 live sessions promoting 200+
products. This module rebuilds a believable catalogue of that shape: suppliers (businesses and
cooperatives), their regional specialties with OCOP stars and certificates, the creators, the
retail chains that watch the sales, and the studios at the venue.

Provinces are the 63 province-level units of 2024, the ones the fair used. Since 1 July 2025
Vietnam has 34 provincial units after mergers, so the rest of the service must treat a province
as plain data (a string from a table), never as an enum.

Everything here is fixed at import: tables are expanded by small helpers, and the few generated
values (tax codes, contact people, phones, certificate expiry dates) come from a locally seeded
``random.Random(2024)``. Names, tax codes, phones and e-mails are invented; e-mail domains end in
``.example`` so nothing can reach a real inbox.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    province: str
    tax_code: str
    contact_name: str
    contact_phone: str
    contact_email: str


@dataclass(frozen=True)
class DemoProduct:
    supplier_tax_code: str
    sku: str
    name: str
    category: str
    province: str
    list_price: int
    live_price: int
    ocop_stars: int | None
    certifications: tuple[tuple[str, str], ...]
    campaign_stock: int
    talking_points: str
    image_url: str
    buy_link: str


@dataclass(frozen=True)
class DemoCreator:
    name: str
    handles: dict[str, str]


@dataclass(frozen=True)
class DemoRetailer:
    name: str
    contact_email: str


# Province name (2024) and the short code used as the SKU prefix.
# fmt: off
_PROVINCE_CODES: tuple[tuple[str, str], ...] = (
    # Trung du và miền núi phía Bắc, Đồng bằng sông Hồng
    ("Hà Nội", "HN"), ("Hà Giang", "HG"), ("Cao Bằng", "CB"), ("Bắc Kạn", "BK"),
    ("Tuyên Quang", "TQ"), ("Lào Cai", "LC"), ("Điện Biên", "DB"), ("Lai Châu", "LCH"),
    ("Sơn La", "SL"), ("Yên Bái", "YB"), ("Hòa Bình", "HB"), ("Thái Nguyên", "TN"),
    ("Lạng Sơn", "LS"), ("Quảng Ninh", "QNI"), ("Bắc Giang", "BG"), ("Phú Thọ", "PT"),
    ("Vĩnh Phúc", "VP"), ("Bắc Ninh", "BN"), ("Hải Dương", "HD"), ("Hải Phòng", "HP"),
    ("Hưng Yên", "HY"), ("Thái Bình", "TB"), ("Hà Nam", "HNA"), ("Nam Định", "ND"),
    ("Ninh Bình", "NB"),
    # Bắc Trung Bộ và Duyên hải miền Trung
    ("Thanh Hóa", "TH"), ("Nghệ An", "NA"), ("Hà Tĩnh", "HT"), ("Quảng Bình", "QB"),
    ("Quảng Trị", "QT"), ("Thừa Thiên Huế", "HUE"), ("Đà Nẵng", "DN"), ("Quảng Nam", "QNA"),
    ("Quảng Ngãi", "QNG"), ("Bình Định", "BDI"), ("Phú Yên", "PY"), ("Khánh Hòa", "KH"),
    ("Ninh Thuận", "NT"), ("Bình Thuận", "BTH"),
    # Tây Nguyên
    ("Kon Tum", "KT"), ("Gia Lai", "GL"), ("Đắk Lắk", "DL"), ("Đắk Nông", "DNO"),
    ("Lâm Đồng", "LD"),
    # Đông Nam Bộ
    ("Bình Phước", "BP"), ("Tây Ninh", "TNI"), ("Bình Dương", "BD"), ("Đồng Nai", "DNA"),
    ("Bà Rịa - Vũng Tàu", "VT"), ("Thành phố Hồ Chí Minh", "HCM"),
    # Đồng bằng sông Cửu Long
    ("Long An", "LA"), ("Tiền Giang", "TG"), ("Bến Tre", "BT"), ("Trà Vinh", "TV"),
    ("Vĩnh Long", "VL"), ("Đồng Tháp", "DT"), ("An Giang", "AG"), ("Kiên Giang", "KG"),
    ("Cần Thơ", "CT"), ("Hậu Giang", "HAG"), ("Sóc Trăng", "ST"), ("Bạc Liêu", "BL"),
    ("Cà Mau", "CM"),
)
# fmt: on

PROVINCES_2024: tuple[str, ...] = tuple(name for name, _ in _PROVINCE_CODES)

_SKU_PREFIX = dict(_PROVINCE_CODES)

_BANH_KEO = "Bánh kẹo"
_DO_UONG = "Đồ uống"
_DUOC_LIEU = "Dược liệu"
_GAO = "Gạo & ngũ cốc"
_GIA_VI = "Gia vị"
_HAI_SAN = "Thủy hải sản"
_KHO = "Thực phẩm khô"
_MAT_ONG = "Mật ong"
_THU_CONG = "Thủ công mỹ nghệ"
_TRA = "Trà"
_TRAI_CAY = "Trái cây"

_CERT_NAMES = {
    "VG": "VietGAP",
    "GG": "GlobalGAP",
    "HACCP": "HACCP",
    "ISO": "ISO 22000:2018",
    "HC": "Hữu cơ TCVN 11041",
}

# (sku code, product name, category, list price VND, OCOP stars, certificate codes,
#  the host's one-line pitch). The SKU gets the province prefix; OCOP and certificate
#  sentences are appended to the pitch by _talking_points.
_Row = tuple[str, str, str, int, int | None, str, str]

# (province, supplier name, products)
# fmt: off
_CATALOGUE: tuple[tuple[str, str, tuple[_Row, ...]], ...] = (
    # ----- Miền Bắc -----
    ("Hà Nội", "Công ty TNHH Ô mai Phố Cổ Hà Thành", (
        ("OMAI-MOGUNG-300", "Ô mai mơ gừng Hà Nội 300g", _BANH_KEO, 95_000, 4, "ISO",
         "Mơ chua ngọt quyện gừng cay ấm, đúng vị ô mai phố cổ."),
        ("OMAI-SAU-300", "Ô mai sấu bao tử Hà Nội 300g", _BANH_KEO, 85_000, 3, "",
         "Sấu bao tử giòn, chua thanh, ăn là nhớ mùa thu Hà Nội."),
        ("COMVONG-500", "Cốm làng Vòng gói lá sen 500g", _GAO, 120_000, 4, "",
         "Cốm giã tay từ lúa nếp non, dẻo thơm mùi lá sen."),
    )),
    ("Hà Nội", "Hợp tác xã Dịch vụ Sen Quảng An", (
        ("TRASEN-TAYHO-100", "Trà sen Tây Hồ ướp bông hộp 100g", _TRA, 1_150_000, 5, "",
         "Mỗi hộp trà ướp gạo sen từ hàng trăm bông sen Bách Diệp Hồ Tây."),
        ("TRASEN-TUI-20", "Trà ướp sen Tây Hồ túi lọc hộp 20 gói", _TRA, 95_000, None, "",
         "Phiên bản túi lọc tiện pha ở văn phòng, vẫn thoảng hương sen."),
    )),
    ("Hà Nội", "Công ty Cổ phần Gốm sứ Bát Tràng Minh Long Giang", (
        ("GOM-BATTRANG-AMTRA", "Bộ ấm chén gốm Bát Tràng men lam vẽ tay", _THU_CONG,
         650_000, 4, "", "Men lam vẽ tay từng nét, nung ở lò gas 1.200 độ."),
        ("LUA-VANPHUC-KHAN", "Khăn lụa tơ tằm Vạn Phúc 50x180cm", _THU_CONG, 450_000, 4, "",
         "Lụa dệt tại làng Vạn Phúc, mềm mát, hoa văn truyền thống."),
    )),
    ("Hà Giang", "Hợp tác xã Chè Shan tuyết Tây Côn Lĩnh", (
        ("SHANTUYET-CT-200", "Trà Shan tuyết cổ thụ Hà Giang 200g", _TRA, 280_000, 4, "HC",
         "Búp chè hái từ cây cổ thụ trăm tuổi trên núi Tây Côn Lĩnh, có lớp lông tuyết trắng."),
        ("HONGTRA-ST-100", "Hồng trà Shan tuyết Hà Giang 100g", _TRA, 220_000, 4, "",
         "Hồng trà lên men tự nhiên, nước đỏ hổ phách, hậu ngọt mật ong."),
    )),
    ("Hà Giang", "Công ty TNHH Đặc sản Cao nguyên đá Đồng Văn", (
        ("MATONG-BACHA-500", "Mật ong bạc hà Mèo Vạc 500ml", _MAT_ONG, 450_000, 4, "",
         "Ong lấy mật từ hoa bạc hà dại nở tháng mười trên cao nguyên đá."),
        ("BOKHO-GACBEP-250", "Thịt bò khô gác bếp Hà Giang 250g", _KHO, 320_000, 3, "",
         "Thịt bò vàng tẩm mắc khén, hun khói trên gác bếp của đồng bào Mông."),
    )),
    ("Cao Bằng", "Hợp tác xã Nông sản Non Nước Cao Bằng", (
        ("HATDE-TK-500", "Hạt dẻ Trùng Khánh rang sẵn 500g", _KHO, 180_000, 4, "",
         "Hạt dẻ Trùng Khánh bùi, ngọt, vỏ mỏng dễ bóc."),
        ("MIEN-NGBINH-500", "Miến dong Nguyên Bình 500g", _GAO, 75_000, 4, "",
         "Miến làm từ củ dong riềng, sợi dai, nấu không bị nát."),
        ("BANHKHAO-400", "Bánh khảo Cao Bằng hộp 400g", _BANH_KEO, 75_000, None, "",
         "Bánh khảo nhân đường, hạt lạc, thơm mùi bột nếp rang."),
    )),
    ("Bắc Kạn", "Hợp tác xã Miến dong Côn Minh Na Rì", (
        ("MIEN-NARI-500", "Miến dong Na Rì Bắc Kạn 500g", _GAO, 70_000, 4, "",
         "Miến dong phơi nắng tự nhiên, không chất tẩy trắng."),
        ("NEP-KHAUNUA-2KG", "Gạo nếp Khẩu Nua Lếch Bắc Kạn 2kg", _GAO, 110_000, 3, "",
         "Giống nếp bản địa hạt tròn, đồ xôi dẻo thơm để nguội vẫn mềm."),
    )),
    ("Tuyên Quang", "Hợp tác xã Cam sành Hàm Yên Phù Lưu", (
        ("CAMSANH-5KG", "Cam sành Hàm Yên hộp 5kg", _TRAI_CAY, 180_000, 4, "VG",
         "Cam sành Hàm Yên mọng nước, ngọt đậm, vỏ xanh sần đặc trưng."),
        ("RUOUNGO-NAHANG-500", "Rượu ngô Na Hang 500ml", _DO_UONG, 95_000, None, "",
         "Rượu ngô nấu bằng men lá truyền thống của người Tày Na Hang."),
    )),
    ("Lào Cai", "Công ty TNHH Nông sản Bắc Hà Xanh", (
        ("RUOUNGO-BACHA-1L", "Rượu ngô men lá Bắc Hà 1 lít", _DO_UONG, 150_000, 4, "",
         "Ngô bản địa ủ men lá rừng, chưng cất thủ công, êm và thơm."),
        ("MAN-TAMHOA-300", "Mận tam hoa Bắc Hà sấy dẻo 300g", _BANH_KEO, 85_000, None, "",
         "Mận tam hoa sấy dẻo giữ vị chua ngọt, màu tím đỏ tự nhiên."),
    )),
    ("Lào Cai", "Hợp tác xã Thảo quả Sa Pa", (
        ("THAOQUA-200", "Thảo quả Sa Pa sấy khô 200g", _GIA_VI, 90_000, 3, "",
         "Thảo quả trồng dưới tán rừng Hoàng Liên, thơm nồng cho nồi phở."),
        ("SHANTUYET-YTY-200", "Trà Shan tuyết Y Tý 200g", _TRA, 240_000, 4, "",
         "Chè mọc ở độ cao hai nghìn mét giữa mây Y Tý, vị chát dịu."),
    )),
    ("Điện Biên", "Hợp tác xã Nông sản Mường Thanh", (
        ("GAO-DIENBIEN-5KG", "Gạo Điện Biên túi 5kg", _GAO, 140_000, 4, "VG",
         "Gạo cánh đồng Mường Thanh hạt trong, cơm dẻo, thơm nhẹ."),
        ("TRAU-GACBEP-500", "Thịt trâu gác bếp Điện Biên 500g", _KHO, 550_000, 3, "",
         "Thịt trâu tẩm mắc khén, hạt dổi, xé ăn kèm chẩm chéo là đúng điệu."),
        ("CAPHE-MUONGANG-500", "Cà phê Arabica Mường Ảng rang xay 500g", _DO_UONG,
         190_000, 3, "", "Arabica trồng trên đồi Mường Ảng, vị chua thanh, hương trái cây."),
    )),
    ("Lai Châu", "Công ty TNHH Dược liệu Sâm Lai Châu Phúc Khang", (
        ("SAM-MATONG-500", "Sâm Lai Châu ngâm mật ong hũ 500g", _DUOC_LIEU, 1_200_000, 4, "",
         "Sâm Lai Châu thái lát ngâm mật ong rừng, bồi bổ sức khỏe."),
        ("OLONG-TANUYEN-200", "Trà Ô long Tân Uyên 200g", _TRA, 250_000, 4, "VG",
         "Ô long trồng trên cao nguyên Tân Uyên, viên chè xoăn chặt, hương hoa."),
    )),
    ("Sơn La", "Hợp tác xã Nông nghiệp Mộc Châu Xanh", (
        ("OLONG-MOCCHAU-200", "Trà Ô long Mộc Châu 200g", _TRA, 260_000, 4, "VG",
         "Đồi chè Mộc Châu mát quanh năm cho ô long thơm, hậu ngọt."),
        ("MANHAU-SAY-300", "Mận hậu Mộc Châu sấy dẻo 300g", _BANH_KEO, 80_000, 3, "",
         "Mận hậu chín cây sấy dẻo, chua chua ngọt ngọt, ăn vặt rất cuốn."),
    )),
    ("Sơn La", "Công ty TNHH Cà phê Arabica Thuận Châu", (
        ("CAPHE-SONLA-500", "Cà phê Arabica Sơn La rang xay 500g", _DO_UONG, 210_000, 4, "",
         "Arabica Sơn La rang mộc, hương caramel, hợp pha phin lẫn pha máy."),
        ("CHAMCHEO-200", "Chẩm chéo Sơn La hũ 200g", _GIA_VI, 55_000, None, "",
         "Chẩm chéo mắc khén, ớt rừng, chấm xôi hay thịt nướng đều ngon."),
    )),
    ("Yên Bái", "Hợp tác xã Quế Văn Yên Đông Cuông", (
        ("QUE-VANYEN-500", "Quế Văn Yên thanh cuộn 500g", _GIA_VI, 85_000, 4, "HC",
         "Quế Văn Yên vỏ dày, nhiều tinh dầu, thơm cay ngọt."),
        ("TINHDAU-QUE-50", "Tinh dầu quế Văn Yên 50ml", _DUOC_LIEU, 120_000, 4, "",
         "Tinh dầu chưng cất từ lá và vỏ quế, khử mùi, đuổi muỗi tự nhiên."),
    )),
    ("Yên Bái", "Công ty TNHH Đặc sản Tú Lệ Mù Cang Chải", (
        ("NEP-TULE-2KG", "Gạo nếp Tú Lệ 2kg", _GAO, 130_000, 4, "",
         "Nếp Tú Lệ hạt bầu, đồ xôi thơm cả bản, để nguội vẫn dẻo."),
        ("SHANTUYET-SG-200", "Trà Shan tuyết Suối Giàng 200g", _TRA, 350_000, 4, "",
         "Chè từ cây shan tuyết cổ thụ Suối Giàng, vị chát đậm, hậu ngọt sâu."),
    )),
    ("Hòa Bình", "Hợp tác xã Cam Cao Phong Thung Nai", (
        ("CAM-CAOPHONG-5KG", "Cam Cao Phong hộp 5kg", _TRAI_CAY, 175_000, 4, "VG",
         "Cam Cao Phong vỏ mỏng, ngọt thanh, hái tại vườn trong ngày."),
        ("MANG-KHO-500", "Măng khô Hòa Bình 500g", _KHO, 150_000, None, "",
         "Măng rừng luộc kỹ rồi phơi nắng, ninh với chân giò rất ngon."),
    )),
    ("Thái Nguyên", "Công ty TNHH Trà Thái Nguyên Hoàng Bình", (
        ("CHE-TANCUONG-500", "Chè Tân Cương Thái Nguyên đặc biệt 500g", _TRA, 450_000, 4, "VG",
         "Chè Tân Cương một tôm hai lá, sao tay, nước xanh, hậu ngọt."),
        ("CHE-MOCCAU-200", "Chè móc câu Tân Cương 200g", _TRA, 180_000, 5, "VG",
         "Cánh chè nhỏ xoăn như móc câu, đúng chuẩn đệ nhất danh trà."),
        ("CHE-LABANG-200", "Trà búp La Bằng Đại Từ 200g", _TRA, 160_000, 4, "HC",
         "Chè trồng dưới chân núi Tam Đảo theo hướng hữu cơ, vị đậm êm."),
    )),
    ("Lạng Sơn", "Hợp tác xã Nông sản Xứ Lạng", (
        ("HOI-KHO-500", "Hồi khô Lạng Sơn 500g", _GIA_VI, 160_000, 4, "",
         "Hoa hồi tám cánh đều, thơm đậm, gia vị không thể thiếu cho phở."),
        ("TINHDAU-HOI-30", "Tinh dầu hồi Lạng Sơn 30ml", _DUOC_LIEU, 95_000, None, "",
         "Tinh dầu hồi nguyên chất, xoa bóp giữ ấm ngày lạnh."),
        ("NA-CHILANG-3KG", "Na Chi Lăng hộp 3kg", _TRAI_CAY, 150_000, 4, "VG",
         "Na trồng trên núi đá vôi Chi Lăng, múi dày, ngọt sắc."),
    )),
    ("Quảng Ninh", "Công ty Cổ phần Thực phẩm Hạ Long Biển Xanh", (
        ("CHAMUC-500", "Chả mực Hạ Long giã tay 500g", _HAI_SAN, 380_000, 4, "HACCP",
         "Mực tươi giã tay bằng cối đá, chả giòn sần sật, thơm ngọt."),
        ("SASUNG-QL-100", "Sá sùng khô Quan Lạn 100g", _HAI_SAN, 520_000, 3, "",
         "Sá sùng Quan Lạn nướng giòn, nấu nước dùng ngọt hơn cả mì chính."),
    )),
    ("Quảng Ninh", "Hợp tác xã Dược liệu Ba Chẽ", (
        ("TRAHOAVANG-100", "Trà hoa vàng Ba Chẽ hộp 100g", _TRA, 750_000, 5, "",
         "Trà hoa vàng Ba Chẽ, nước vàng óng, vị thanh, được mệnh danh nữ hoàng các loài trà."),
        ("BAKICH-500", "Ba kích tím Quảng Ninh khô 500g", _DUOC_LIEU, 350_000, 4, "",
         "Ba kích tím rút lõi, phơi khô, dùng ngâm rượu hoặc sắc uống."),
    )),
    ("Bắc Giang", "Hợp tác xã Vải thiều Lục Ngạn Phượng Sơn", (
        ("VAI-SAY-1KG", "Vải thiều Lục Ngạn sấy khô 1kg", _KHO, 180_000, 4, "VG",
         "Vải thiều sấy lò than truyền thống, cùi dày, ngọt lịm."),
        ("RUOU-VAI-500", "Rượu vải thiều Lục Ngạn 500ml", _DO_UONG, 160_000, None, "",
         "Rượu lên men từ vải thiều chín, thơm hương vải, êm nhẹ."),
    )),
    ("Bắc Giang", "Công ty TNHH Mỳ Chũ Nam Dương", (
        ("MYCHU-500", "Mỳ Chũ Bắc Giang 500g", _GAO, 45_000, 4, "",
         "Sợi mỳ gạo Bao thai phơi nắng, nấu nhanh, dai mềm."),
        ("RUOU-LANGVAN-500", "Rượu làng Vân Bắc Giang 500ml", _DO_UONG, 130_000, 4, "",
         "Rượu nếp cái hoa vàng nấu theo men bí truyền làng Vân."),
    )),
    ("Phú Thọ", "Hợp tác xã Nông sản Đất Tổ Chí Đám", (
        ("BUOI-DOANHUNG-4", "Bưởi Đoan Hùng hộp 4 quả", _TRAI_CAY, 200_000, 4, "VG",
         "Bưởi Đoan Hùng vỏ mỏng, múi giòn, ngọt mát, để lâu càng ngọt."),
        ("THITCHUA-400", "Thịt chua Thanh Sơn hộp 400g", _KHO, 140_000, 4, "",
         "Thịt lợn ủ thính gạo rang trong ống nứa, chua dịu, ăn kèm lá đinh lăng."),
    )),
    ("Vĩnh Phúc", "Hợp tác xã Nông nghiệp Tam Đảo Mây Ngàn", (
        ("MATONG-TAMDAO-500", "Mật ong rừng Tam Đảo 500ml", _MAT_ONG, 280_000, 3, "",
         "Mật ong khai thác từ rừng quốc gia Tam Đảo, sánh, thơm hoa rừng."),
    )),
    ("Bắc Ninh", "Hợp tác xã Làng nghề Kinh Bắc", (
        ("DONGHO-CHUOT-A3", "Tranh Đông Hồ Đám cưới chuột khổ A3", _THU_CONG, 150_000, 4, "",
         "In khắc gỗ thủ công trên giấy dó quét điệp, màu từ cây cỏ tự nhiên."),
        ("DONGHO-LON-A3", "Tranh Đông Hồ Lợn đàn khổ A3", _THU_CONG, 150_000, 4, "",
         "Bức lợn đàn cầu sung túc, món quà văn hóa cho người thân phương xa."),
        ("GOM-PHULANG-BINH", "Bình gốm Phù Lãng men da lươn cao 30cm", _THU_CONG, 480_000, None,
         "", "Gốm Phù Lãng men da lươn nâu vàng, đắp nổi thủ công từng chiếc."),
    )),
    ("Hải Dương", "Công ty Cổ phần Bánh đậu xanh Thành Đông", (
        ("DAUXANH-250", "Bánh đậu xanh Hải Dương hộp 250g", _BANH_KEO, 45_000, 4, "ISO",
         "Bánh đậu xanh tan ngay đầu lưỡi, ngọt vừa, uống trà là hợp."),
        ("BANHGAI-10", "Bánh gai Ninh Giang túi 10 chiếc", _BANH_KEO, 90_000, 4, "",
         "Vỏ lá gai dẻo đen, nhân đậu xanh, dừa, mỡ đường thơm béo."),
        ("VAI-THANHHA-500", "Vải thiều Thanh Hà sấy khô 500g", _KHO, 120_000, 3, "VG",
         "Vải Thanh Hà sấy nguyên quả, cùi vàng nâu, ngọt đậm đà."),
    )),
    ("Hải Phòng", "Công ty TNHH Đặc sản Đất Cảng Hưng Phát", (
        ("NUOCMAM-CH-500", "Nước mắm Cát Hải 30 độ đạm 500ml", _GIA_VI, 75_000, 4, "HACCP",
         "Cá nục, cá cơm ủ chượp trong thùng gỗ hơn một năm, vị mặn mòi đậm đà."),
        ("CHACA-CATBA-500", "Chả cá thu Cát Bà 500g", _HAI_SAN, 220_000, 3, "",
         "Chả cá thu Cát Bà dai ngọt, rán vàng chấm tương ớt."),
        ("BANHDA-CUA-500", "Bánh đa đỏ nấu cua Hải Phòng 500g", _GAO, 50_000, 3, "",
         "Sợi bánh đa đỏ dai, nấu với riêu cua đồng là chuẩn vị đất Cảng."),
    )),
    ("Hưng Yên", "Hợp tác xã Nông sản Phố Hiến", (
        ("LONGNHAN-500", "Long nhãn Hưng Yên sấy khô 500g", _KHO, 220_000, 4, "VG",
         "Nhãn lồng bóc cùi sấy thủ công, dày, dẻo, nấu chè rất thơm."),
        ("NHANLONG-3KG", "Nhãn lồng Hưng Yên hộp 3kg", _TRAI_CAY, 160_000, 4, "VG",
         "Nhãn lồng quả to, cùi dày, giòn ngọt, hạt nhỏ."),
        ("TUONGBAN-500", "Tương Bần Hưng Yên chai 500ml", _GIA_VI, 40_000, 3, "",
         "Tương ủ từ xôi nếp và đậu tương rang, chấm rau muống luộc đúng vị Bắc."),
    )),
    ("Thái Bình", "Công ty TNHH Đặc sản Thái Bình Quý Long", (
        ("BANHCAY-300", "Bánh cáy làng Nguyễn hộp 300g", _BANH_KEO, 60_000, 4, "",
         "Bánh cáy nhiều màu từ gấc, lá dứa, gừng, giòn thơm mạch nha."),
        ("GAO-TAMXOAN-5KG", "Gạo tám xoan Thái Bình 5kg", _GAO, 135_000, 4, "VG",
         "Hạt gạo nhỏ dài, cơm mềm dẻo, thơm như mùi hoa xoan."),
        ("CHIEUCOI-1M6", "Chiếu cói Thái Bình dệt tay 1m6", _THU_CONG, 250_000, None, "",
         "Chiếu cói mát lưng mùa hè, dệt tay, in hoa văn đỏ truyền thống."),
    )),
    ("Hà Nam", "Cơ sở Rượu Vọc Vũ Bản", (
        ("RUOUVOC-500", "Rượu Vọc Hà Nam 500ml", _DO_UONG, 110_000, None, "",
         "Rượu nếp nấu bằng men thuốc bắc, nồng mà không sốc."),
    )),
    ("Nam Định", "Công ty TNHH Thực phẩm Thành Nam", (
        ("KEO-SIUCHAU-300", "Kẹo Sìu Châu Nam Định hộp 300g", _BANH_KEO, 55_000, 3, "",
         "Kẹo mạch nha lạc vừng, giòn tan, vị quà quê Thành Nam."),
        ("BANHNHAN-300", "Bánh nhãn Hải Hậu 300g", _BANH_KEO, 45_000, 4, "",
         "Những viên bánh nhỏ như hạt nhãn, giòn xốp, ngọt nhẹ."),
    )),
    ("Nam Định", "Hợp tác xã Nước mắm Sa Châu", (
        ("NUOCMAM-SACHAU-500", "Nước mắm Sa Châu 35 độ đạm 500ml", _GIA_VI, 80_000, 4, "",
         "Nước mắm cá cơm ủ chượp truyền thống, màu cánh gián, hậu ngọt."),
        ("GAO-HAIHAU-5KG", "Gạo tám Hải Hậu 5kg", _GAO, 150_000, 4, "VG",
         "Gạo tám thơm Hải Hậu vùng ven biển, cơm dẻo, thơm lâu."),
    )),
    ("Ninh Bình", "Công ty Cổ phần Đặc sản Cố đô Hoa Lư", (
        ("COMCHAY-200", "Cơm cháy chà bông Ninh Bình 200g", _BANH_KEO, 60_000, 4, "ISO",
         "Cơm cháy giòn rụm phủ chà bông và mỡ hành, đặc sản đất Cố đô."),
        ("RUOU-KIMSON-500", "Rượu Kim Sơn Ninh Bình 500ml", _DO_UONG, 120_000, 4, "",
         "Rượu nếp cái Kim Sơn chưng cất nhiều lần, trong và thơm."),
    )),
    ("Ninh Bình", "Hợp tác xã Cói Kim Sơn", (
        ("GIOCOI-DANTAY", "Giỏ cói Kim Sơn đan tay có quai", _THU_CONG, 180_000, 4, "",
         "Giỏ đan từ cói Kim Sơn, bền chắc, đựng đồ đi biển rất xinh."),
    )),
    # ----- Miền Trung -----
    ("Thanh Hóa", "Công ty TNHH Đặc sản xứ Thanh Phương Nam", (
        ("NEMCHUA-20", "Nem chua Thanh Hóa túi 20 chiếc", _KHO, 80_000, 4, "HACCP",
         "Nem chua lên men tự nhiên trong lá chuối, dai giòn bì, cay nhẹ."),
        ("CHELAM-300", "Chè lam Phủ Quảng hộp 300g", _BANH_KEO, 55_000, 3, "",
         "Chè lam gừng mật mía, dẻo thơm bột nếp rang."),
        ("MAMTEP-400", "Mắm tép Hà Yên hũ 400g", _GIA_VI, 70_000, 4, "",
         "Tép moi ủ với thính và muối, chưng thịt ba chỉ là hao cơm."),
    )),
    ("Nghệ An", "Hợp tác xã Nông sản xứ Nghệ Quỳ Hợp", (
        ("CAMVINH-5KG", "Cam Vinh hộp 5kg", _TRAI_CAY, 190_000, 4, "VG",
         "Cam Vinh vỏ mỏng, tép vàng, vị ngọt đậm pha chút chua thanh."),
        ("NHUT-THANHCHUONG-500", "Nhút Thanh Chương hũ 500g", _KHO, 45_000, None, "",
         "Xơ mít muối chua giòn, món ăn dân dã của người xứ Nghệ."),
        ("TUONG-NAMDAN-500", "Tương Nam Đàn chai 500ml", _GIA_VI, 35_000, None, "",
         "Tương ủ chum sành ngoài nắng, vị ngọt bùi của đậu và gạo nếp."),
    )),
    ("Hà Tĩnh", "Công ty TNHH Kẹo cu đơ Hà Tĩnh Thiên Cầm", (
        ("CUDO-500", "Kẹo cu đơ Hà Tĩnh hộp 500g", _BANH_KEO, 65_000, 4, "",
         "Lạc rang, mật mía, gừng kẹp bánh đa, ngọt thơm cay ấm."),
        ("BUOI-PHUCTRACH-4", "Bưởi Phúc Trạch hộp 4 quả", _TRAI_CAY, 240_000, 4, "VG",
         "Bưởi Phúc Trạch múi hồng, mọng nước, từng là tiến vua."),
    )),
    ("Hà Tĩnh", "Hợp tác xã Nhung hươu Hương Sơn", (
        ("NHUNGHUOU-50", "Nhung hươu Hương Sơn thái lát 50g", _DUOC_LIEU, 1_100_000, 4, "",
         "Nhung hươu từ các trại nuôi Hương Sơn, sấy khô thái lát, bồi bổ khí huyết."),
    )),
    ("Quảng Bình", "Công ty TNHH Đặc sản Quảng Bình Nhật Lệ", (
        ("KHOAIDEO-500", "Khoai deo Quảng Bình 500g", _KHO, 90_000, 3, "",
         "Khoai lang hấp rồi phơi gió Lào, dẻo ngọt, càng nhai càng thơm."),
        ("NUOCMAM-CD-500", "Nước mắm Cảnh Dương 35 độ đạm 500ml", _GIA_VI, 85_000, 4, "",
         "Nước mắm làng biển Cảnh Dương, cá cơm ủ chượp tự nhiên."),
        ("CATHU-KHO-500", "Khô cá thu Quảng Bình 500g", _HAI_SAN, 420_000, None, "",
         "Cá thu cắt khoanh phơi một nắng, chiên lên chắc thịt, thơm."),
    )),
    ("Quảng Trị", "Công ty TNHH Nông sản Quảng Trị Đất Lửa", (
        ("TIEU-CUA-500", "Tiêu Cùa Quảng Trị 500g", _GIA_VI, 180_000, 4, "",
         "Hạt tiêu nhỏ nhưng chắc, cay nồng, thơm đặc trưng đất đỏ Cùa."),
        ("CAPHE-KHESANH-500", "Cà phê Arabica Khe Sanh rang xay 500g", _DO_UONG, 200_000, 4, "",
         "Arabica Khe Sanh vị chua thanh, thơm hương socola."),
    )),
    ("Thừa Thiên Huế", "Công ty TNHH Đặc sản Cố đô Huế Thiên An", (
        ("MEXUNG-500", "Mè xửng Huế hộp 500g", _BANH_KEO, 70_000, 4, "",
         "Mè xửng dẻo, bọc mè rang thơm, món quà xứ Huế."),
        ("MAMRUOC-500", "Mắm ruốc Huế hũ 500g", _GIA_VI, 65_000, 3, "",
         "Ruốc biển ủ muối, là linh hồn của tô bún bò Huế."),
        ("TOMCHUA-400", "Tôm chua Huế hũ 400g", _HAI_SAN, 150_000, 4, "",
         "Tôm ủ chua với măng, riềng, tỏi ớt, ăn cùng thịt luộc."),
    )),
    ("Thừa Thiên Huế", "Hợp tác xã Tinh dầu tràm Phong Điền", (
        ("TINHDAU-TRAM-100", "Tinh dầu tràm Huế 100ml", _DUOC_LIEU, 85_000, 4, "",
         "Tinh dầu tràm nguyên chất, giữ ấm cho bé, xua muỗi."),
        ("TRA-CUNGDINH-20", "Trà cung đình Huế hộp 20 túi", _TRA, 90_000, 3, "",
         "Mười hai vị thảo mộc theo công thức trà cung đình, thanh nhiệt."),
    )),
    ("Thừa Thiên Huế", "Cơ sở Nón lá Tây Hồ Phú Vang", (
        ("NONLA-BAITHO", "Nón lá bài thơ Huế", _THU_CONG, 120_000, None, "",
         "Soi nón lên nắng thấy hiện bài thơ và cảnh sông Hương."),
    )),
    ("Đà Nẵng", "Công ty TNHH Đặc sản Đà Nẵng Hải Vân", (
        ("NUOCMAM-NAMO-500", "Nước mắm Nam Ô 40 độ đạm 500ml", _GIA_VI, 110_000, 4, "HACCP",
         "Cá cơm than ủ chượp hơn một năm theo nghề làng Nam Ô trăm năm."),
        ("MUC-RIMME-300", "Mực rim me Đà Nẵng 300g", _HAI_SAN, 180_000, None, "",
         "Mực xé rim me chua ngọt cay, món ăn vặt gây nghiện."),
        ("CHABO-500", "Chả bò Đà Nẵng 500g", _KHO, 220_000, 3, "",
         "Chả bò giã tay, điểm tiêu hạt, dai giòn sần sật."),
    )),
    ("Quảng Nam", "Hợp tác xã Quế Trà My", (
        ("QUE-TRAMY-500", "Quế Trà My thanh 500g", _GIA_VI, 120_000, 4, "",
         "Quế Trà My vỏ dày, cay ngọt, tinh dầu cao."),
        ("RUOU-HONGDAO-500", "Rượu Hồng Đào Quảng Nam 500ml", _DO_UONG, 150_000, 4, "",
         "Rượu trái hồng đào núi rừng Quảng Nam, màu đỏ sóng sánh, vị chua ngọt."),
    )),
    ("Quảng Nam", "Công ty TNHH Mì Quảng Phú Chiêm", (
        ("MIQUANG-500", "Mì Quảng khô Phú Chiêm 500g", _GAO, 45_000, 3, "",
         "Sợi mì Quảng tráng từ gạo, phơi khô, nấu là có tô mì đúng vị."),
        ("LUA-MACHAU-KHAN", "Khăn lụa Mã Châu 50x160cm", _THU_CONG, 350_000, 4, "",
         "Lụa tơ tằm dệt ở làng Mã Châu hơn bốn trăm năm tuổi."),
    )),
    ("Quảng Ngãi", "Công ty TNHH Đặc sản Núi Ấn Sông Trà", (
        ("DUONGPHEN-500", "Đường phèn Quảng Ngãi 500g", _KHO, 45_000, 4, "",
         "Đường phèn kết tinh tự nhiên từ mía, ngọt thanh, chưng yến rất hợp."),
        ("KEOGUONG-300", "Kẹo gương Quảng Ngãi hộp 300g", _BANH_KEO, 50_000, 3, "",
         "Bánh tráng mỏng phết mạch nha, đậu phộng, giòn trong như gương."),
        ("MACHNHA-500", "Mạch nha Thi Phổ hũ 500g", _BANH_KEO, 65_000, 4, "",
         "Mạch nha nấu từ nếp và mầm lúa, ngọt dịu, màu hổ phách."),
    )),
    ("Quảng Ngãi", "Hợp tác xã Tỏi Lý Sơn", (
        ("TOI-LYSON-500", "Tỏi cô đơn Lý Sơn 500g", _GIA_VI, 170_000, 4, "",
         "Tỏi một nhánh trồng trên cát núi lửa Lý Sơn, thơm và cay dịu."),
    )),
    ("Bình Định", "Công ty TNHH Bánh tráng Tam Quan Dừa Xanh", (
        ("BANHTRANG-TQ-10", "Bánh tráng nước dừa Tam Quan 10 cái", _GAO, 40_000, 4, "",
         "Bánh tráng pha nước cốt dừa, nướng lên phồng giòn, béo thơm."),
        ("RUOU-BAUDA-500", "Rượu Bàu Đá Bình Định 500ml", _DO_UONG, 120_000, 4, "",
         "Rượu gạo nấu bằng nước giếng Bàu Đá, êm, cay nồng hậu ngọt."),
    )),
    ("Bình Định", "Cơ sở Nón ngựa Phú Gia", (
        ("NONNGUA", "Nón ngựa Phú Gia Bình Định", _THU_CONG, 280_000, 3, "",
         "Nón ngựa chằm tay công phu, từng đội lên đầu các quan võ."),
    )),
    ("Phú Yên", "Công ty Cổ phần Hải sản Vũng Rô", (
        ("CANGU-PHILE-500", "Cá ngừ đại dương phi lê Phú Yên 500g", _HAI_SAN, 210_000, 4, "HACCP",
         "Cá ngừ câu tay ngoài khơi, cấp đông ngay trên tàu, thịt đỏ tươi."),
    )),
    ("Phú Yên", "Cơ sở Bánh tráng Hòa Đa", (
        ("BANHTRANG-HD-500", "Bánh tráng nướng mè đen Hòa Đa 500g", _GAO, 45_000, 3, "",
         "Bánh tráng làng Hòa Đa rắc mè đen, cuốn cá ngừ là đúng điệu Phú Yên."),
    )),
    ("Khánh Hòa", "Công ty TNHH Yến sào Nha Trang Hòn Nội", (
        ("YEN-TINHCHE-50", "Yến sào tinh chế Nha Trang hộp 50g", _DUOC_LIEU, 1_200_000, 5,
         "HACCP", "Tổ yến đảo nhặt lông sạch, sợi to, nở đều khi chưng."),
        ("NUOCYEN-6", "Nước yến sào Khánh Hòa hộp 6 lọ", _DO_UONG, 150_000, 5, "ISO",
         "Nước yến đường phèn tiện dụng, mát lạnh càng ngon."),
    )),
    ("Khánh Hòa", "Cơ sở Hải sản khô Cam Ranh", (
        ("MUCKHO-500", "Mực khô Cam Ranh 500g", _HAI_SAN, 650_000, 3, "",
         "Mực câu phơi nắng biển Cam Ranh, nướng lên ngọt, thơm dai."),
    )),
    ("Ninh Thuận", "Hợp tác xã Nho Phan Rang Thái An", (
        ("NHOXANH-2KG", "Nho xanh Ninh Thuận hộp 2kg", _TRAI_CAY, 140_000, 4, "VG",
         "Nho xanh giòn, ngọt thanh, hái ở vườn nắng gió Phan Rang."),
        ("NHO-SAY-300", "Nho sấy khô Ninh Thuận 300g", _KHO, 95_000, None, "",
         "Nho đỏ sấy lạnh giữ màu, ngọt tự nhiên, không thêm đường."),
        ("MATNHO-500", "Mật nho Ninh Thuận 500ml", _DO_UONG, 110_000, 3, "",
         "Mật nho cô đặc pha với đá là ly nước mát cho cả nhà."),
    )),
    ("Ninh Thuận", "Công ty Cổ phần Vang nho Ninh Thuận Phước Hậu", (
        ("VANGNHO-750", "Rượu vang nho Ninh Thuận 750ml", _DO_UONG, 180_000, 4, "",
         "Vang đỏ lên men từ nho Ninh Thuận, vị chát nhẹ, dễ uống."),
        ("TOI-PHANRANG-500", "Tỏi Phan Rang 500g", _GIA_VI, 90_000, 4, "VG",
         "Tỏi ta Phan Rang tép nhỏ, vỏ tím, thơm nồng hơn tỏi thường."),
    )),
    ("Bình Thuận", "Hợp tác xã Thanh long Hàm Thuận Nam", (
        ("THANHLONG-5KG", "Thanh long ruột đỏ Bình Thuận hộp 5kg", _TRAI_CAY, 130_000, 4,
         "VG GG", "Thanh long ruột đỏ ngọt đậm, quả to, tai xanh, hái đúng độ chín."),
        ("THANHLONG-SAY-200", "Thanh long sấy dẻo 200g", _BANH_KEO, 65_000, None, "",
         "Thanh long sấy dẻo không đường, màu hồng tím tự nhiên."),
    )),
    ("Bình Thuận", "Công ty TNHH Nước mắm Phan Thiết Mũi Né", (
        ("NUOCMAM-PT-500", "Nước mắm Phan Thiết 35 độ đạm 500ml", _GIA_VI, 85_000, 4, "HACCP",
         "Nước mắm cá cơm Phan Thiết ủ thùng gỗ, thơm dịu, không chất bảo quản."),
        ("MUC-MOTNANG-PT-500", "Mực một nắng Phan Thiết 500g", _HAI_SAN, 480_000, 3, "",
         "Mực phơi đúng một nắng, nướng lên ngọt mềm, chấm tương ớt."),
    )),
    # ----- Tây Nguyên -----
    ("Kon Tum", "Công ty Cổ phần Sâm Ngọc Linh Tu Mơ Rông", (
        ("SAMNL-MATONG-300", "Sâm Ngọc Linh ngâm mật ong hũ 300g", _DUOC_LIEU, 1_200_000, 5,
         "", "Sâm Ngọc Linh trồng dưới tán rừng nguyên sinh, ngâm mật ong rừng."),
        ("SAMDAY-200", "Sâm dây Ngọc Linh khô 200g", _DUOC_LIEU, 450_000, 4, "",
         "Sâm dây phơi khô, hầm gà hoặc ngâm rượu bồi bổ sức khỏe."),
    )),
    ("Kon Tum", "Hợp tác xã Cà phê Măng Đen", (
        ("CAPHE-MANGDEN-500", "Cà phê Măng Đen rang xay 500g", _DO_UONG, 180_000, 3, "",
         "Cà phê trồng trên cao nguyên Măng Đen mát lạnh, hương thơm dịu."),
    )),
    ("Gia Lai", "Công ty TNHH Nông sản Phố Núi Pleiku", (
        ("MUOIKIEN-100", "Muối kiến vàng Gia Lai hũ 100g", _GIA_VI, 60_000, 3, "",
         "Muối trộn kiến vàng rang, ớt rừng, chấm gà nướng chuẩn vị Tây Nguyên."),
        ("CAPHE-GL-500", "Cà phê Robusta Gia Lai rang xay 500g", _DO_UONG, 150_000, 4, "",
         "Robusta đất đỏ bazan, đậm đắng, pha phin sữa đá là chuẩn."),
    )),
    ("Gia Lai", "Hợp tác xã Hồ tiêu Chư Sê", (
        ("TIEU-CHUSE-500", "Hồ tiêu Chư Sê 500g", _GIA_VI, 110_000, 4, "HC",
         "Tiêu Chư Sê hạt chắc, cay thơm, trồng theo hướng hữu cơ."),
        ("CHANHDAY-MATONG-500", "Chanh dây mật ong Gia Lai 500ml", _DO_UONG, 95_000, None, "",
         "Cốt chanh dây ngâm mật ong, pha nước đá giải nhiệt tức thì."),
    )),
    ("Đắk Lắk", "Công ty Cổ phần Cà phê Buôn Ma Thuột Ea Tam", (
        ("CAPHE-BMT-500", "Cà phê Buôn Ma Thuột rang xay 500g", _DO_UONG, 160_000, 4, "",
         "Robusta Buôn Ma Thuột rang mộc, đậm đà, thơm hậu."),
        ("CAPHE-BMT-HAT-1KG", "Cà phê hạt Robusta Buôn Ma Thuột 1kg", _DO_UONG, 280_000, 4,
         "", "Hạt chín đỏ hái tay, sơ chế ướt, rang vừa cho máy pha espresso."),
        ("CAPHE-BMT-HOATAN-20", "Cà phê hòa tan Buôn Ma Thuột 3in1 hộp 20 gói", _DO_UONG,
         75_000, None, "", "Ba trong một đậm vị cà phê thật, tiện mang đi."),
    )),
    ("Đắk Lắk", "Hợp tác xã Nông nghiệp Krông Pắc", (
        ("SAURIENG-SAY-200", "Sầu riêng sấy Krông Pắc 200g", _BANH_KEO, 180_000, 3, "",
         "Sầu riêng Krông Pắc sấy thăng hoa, giòn tan, vẫn đậm mùi."),
        ("MACCA-500", "Mắc ca Đắk Lắk sấy nứt vỏ 500g", _KHO, 180_000, 4, "",
         "Mắc ca sấy nứt vỏ, kèm dụng cụ tách, béo bùi."),
        ("MATONG-CAPHE-500", "Mật ong hoa cà phê Đắk Lắk 500ml", _MAT_ONG, 180_000, 4, "",
         "Mật ong hoa cà phê mùa tháng ba, thơm nhẹ, vị ngọt thanh."),
    )),
    ("Đắk Lắk", "Công ty TNHH Ca cao Ea Kar", (
        ("CACAO-250", "Ca cao nguyên chất Đắk Lắk 250g", _DO_UONG, 140_000, 4, "",
         "Bột ca cao lên men chuẩn, đắng nhẹ, thơm sô cô la."),
    )),
    ("Đắk Nông", "Hợp tác xã Hồ tiêu Đắk Song", (
        ("TIEU-DAKSONG-500", "Hồ tiêu Đắk Song 500g", _GIA_VI, 120_000, 4, "VG",
         "Tiêu đen phơi nắng cao nguyên, hạt to đều, vị cay the."),
        ("BOSAP-3KG", "Bơ sáp Đắk Nông hộp 3kg", _TRAI_CAY, 150_000, None, "VG",
         "Bơ sáp dẻo béo, dầm sữa đặc hay làm sinh tố đều ngon."),
    )),
    ("Đắk Nông", "Công ty TNHH Cà phê Đắk Mil", (
        ("CAPHE-DAKMIL-500", "Cà phê Đắk Mil rang xay 500g", _DO_UONG, 150_000, 3, "",
         "Cà phê Đắk Mil rang bơ thơm lừng, đậm vị truyền thống."),
        ("MACCA-DN-500", "Mắc ca Đắk Nông tách vỏ 500g", _KHO, 290_000, 3, "",
         "Nhân mắc ca tách sẵn, rang mộc, ăn liền hoặc làm sữa hạt."),
    )),
    ("Lâm Đồng", "Công ty Cổ phần Atiso Đà Lạt Langbiang", (
        ("TRA-ATISO-100", "Trà atiso Đà Lạt hộp 100 túi lọc", _TRA, 120_000, 4, "ISO",
         "Trà atiso túi lọc thanh mát gan, uống nóng hay lạnh đều được."),
        ("CAO-ATISO-200", "Cao atiso Đà Lạt 200g", _DUOC_LIEU, 150_000, 4, "",
         "Cao atiso đặc, pha một thìa với nước ấm, hỗ trợ giải độc gan."),
        ("MUT-DAUTAY-300", "Mứt dâu tây Đà Lạt 300g", _BANH_KEO, 70_000, 3, "",
         "Dâu tây Đà Lạt sên đường, dẻo, chua ngọt."),
    )),
    ("Lâm Đồng", "Hợp tác xã Trà Bảo Lộc", (
        ("OLONG-BAOLOC-200", "Trà Ô long Bảo Lộc 200g", _TRA, 220_000, 4, "VG",
         "Ô long Bảo Lộc hương hoa lan, nước vàng trong."),
        ("HONG-TREOGIO-500", "Hồng treo gió Đà Lạt 500g", _KHO, 220_000, 4, "",
         "Hồng xoay treo gió theo kiểu Nhật, dẻo, ngọt như mật."),
    )),
    ("Lâm Đồng", "Công ty TNHH Cà phê Cầu Đất Mây Sương", (
        ("CAPHE-CAUDAT-500", "Cà phê Arabica Cầu Đất 500g", _DO_UONG, 240_000, 4, "",
         "Arabica Cầu Đất trồng ở độ cao 1.500 mét, chua thanh, thơm hoa quả."),
    )),
    # ----- Đông Nam Bộ -----
    ("Bình Phước", "Công ty TNHH Hạt điều Bình Phước Vàng", (
        ("DIEU-RANGMUOI-500", "Hạt điều rang muối Bình Phước 500g", _KHO, 180_000, 4, "HACCP",
         "Điều W320 rang củi còn vỏ lụa, giòn béo, mặn vừa."),
        ("DIEU-MOC-500", "Hạt điều rang mộc tách vỏ lụa 500g", _KHO, 190_000, 4, "HACCP",
         "Điều rang không muối, hợp người ăn kiêng và làm sữa hạt."),
        ("TIEU-LOCNINH-500", "Tiêu đen Lộc Ninh 500g", _GIA_VI, 115_000, 3, "",
         "Tiêu đen Lộc Ninh hạt đều, thơm, xay tươi ướp thịt cá."),
    )),
    ("Tây Ninh", "Cơ sở Bánh tráng phơi sương Trảng Bàng Út Hiền", (
        ("BANHTRANG-PS-500", "Bánh tráng phơi sương Trảng Bàng 500g", _GAO, 55_000, 4, "",
         "Bánh tráng nướng rồi phơi sương đêm, dẻo mềm, cuốn thịt luộc rau rừng."),
        ("MUOITOM-200", "Muối tôm Tây Ninh hũ 200g", _GIA_VI, 45_000, 4, "",
         "Muối tôm hạt to, cay thơm, chấm xoài xanh hay cóc đều mê."),
    )),
    ("Tây Ninh", "Hợp tác xã Mãng cầu Bà Đen", (
        ("MANGCAU-3KG", "Mãng cầu Bà Đen hộp 3kg", _TRAI_CAY, 150_000, 4, "VG",
         "Mãng cầu dưới chân núi Bà Đen, múi dày, ngọt sắc."),
        ("MANGCAU-SAY-250", "Mãng cầu sấy dẻo Tây Ninh 250g", _BANH_KEO, 75_000, 3, "",
         "Mãng cầu sấy dẻo chua ngọt, giữ nguyên hương trái chín."),
    )),
    ("Bình Dương", "Công ty TNHH Sơn mài Tương Bình Hiệp", (
        ("SONMAI-TRANH-40X60", "Tranh sơn mài Tương Bình Hiệp 40x60cm", _THU_CONG, 950_000, 4,
         "", "Tranh sơn mài cẩn vỏ trứng, mài hàng chục lớp sơn ta."),
    )),
    ("Bình Dương", "Cơ sở Gốm Lái Thiêu Minh Phát", (
        ("GOM-LAITHIEU-BINH", "Bình gốm Lái Thiêu vẽ tay cao 25cm", _THU_CONG, 320_000, 3, "",
         "Gốm Lái Thiêu men màu vẽ tay hoa văn gà, cá, mộc mạc Nam Bộ."),
        ("MANGCUT-3KG", "Măng cụt Lái Thiêu hộp 3kg", _TRAI_CAY, 180_000, None, "",
         "Măng cụt vườn cổ Lái Thiêu, múi trắng, ngọt thanh."),
    )),
    ("Đồng Nai", "Hợp tác xã Nông sản Đồng Nai Xanh", (
        ("BUOI-TANTRIEU-4", "Bưởi Tân Triều hộp 4 quả", _TRAI_CAY, 220_000, 4, "VG",
         "Bưởi đường lá cam Tân Triều ven sông Đồng Nai, ngọt thanh, ráo nước."),
        ("CHOMCHOM-3KG", "Chôm chôm Long Khánh hộp 3kg", _TRAI_CAY, 120_000, None, "VG",
         "Chôm chôm Thái Long Khánh tróc vỏ, cùi dày, giòn ngọt."),
        ("MIT-SAY-250", "Mít sấy giòn Đồng Nai 250g", _BANH_KEO, 75_000, None, "",
         "Mít sấy chân không giòn rụm, ngọt tự nhiên, không dầu mỡ."),
    )),
    ("Bà Rịa - Vũng Tàu", "Công ty TNHH Đặc sản Bà Rịa Biển Mặn", (
        ("MUC-MOTNANG-PH-500", "Mực một nắng Phước Hải 500g", _HAI_SAN, 490_000, 3, "",
         "Mực ống Phước Hải phơi một nắng, nướng than là ngọt lịm."),
        ("CADU-VT-500", "Khô cá đù một nắng Vũng Tàu 500g", _HAI_SAN, 160_000, None, "",
         "Cá đù xẻ bướm phơi một nắng, chiên giòn ăn với cơm nóng."),
        ("DIEU-XUYENMOC-500", "Hạt điều Xuyên Mộc rang củi 500g", _KHO, 175_000, 3, "",
         "Điều rang củi theo cách làm truyền thống, thơm khói nhẹ."),
    )),
    ("Thành phố Hồ Chí Minh", "Hợp tác xã Thủy sản Cần Giờ", (
        ("KHOCADUA-500", "Khô cá dứa một nắng Cần Giờ 500g", _HAI_SAN, 420_000, 4, "",
         "Cá dứa rừng ngập mặn Cần Giờ, phơi một nắng, thịt ngọt béo."),
        ("MUOIOT-CANGIO-200", "Muối ớt xanh Cần Giờ 200g", _GIA_VI, 40_000, None, "",
         "Muối ớt xanh chấm hải sản, cay the, thơm lá chanh."),
    )),
    ("Thành phố Hồ Chí Minh", "Công ty TNHH Nấm Linh chi Củ Chi Xanh", (
        ("LINHCHI-250", "Nấm linh chi đỏ Củ Chi thái lát 250g", _DUOC_LIEU, 350_000, 3, "",
         "Linh chi trồng trong nhà màng ở Củ Chi, thái lát sẵn để sắc uống."),
        ("LAPXUONG-CL-500", "Lạp xưởng tươi Chợ Lớn 500g", _KHO, 140_000, None, "HACCP",
         "Lạp xưởng theo công thức người Hoa Chợ Lớn, ngọt thơm mai quế lộ."),
    )),
    # ----- Đồng bằng sông Cửu Long -----
    ("Long An", "Hợp tác xã Lúa gạo Chợ Đào Cần Đước", (
        ("GAO-CHODAO-5KG", "Gạo Nàng Thơm Chợ Đào 5kg", _GAO, 160_000, 4, "VG",
         "Nàng Thơm Chợ Đào từng là gạo tiến vua, cơm thơm mềm."),
        ("LAPXUONG-CD-500", "Lạp xưởng Cần Đước 500g", _KHO, 150_000, 4, "",
         "Lạp xưởng khô Cần Đước, nạc mỡ cân đối, nướng chảo thơm lừng."),
    )),
    ("Long An", "Công ty TNHH Nông sản Bến Lức", (
        ("CHANH-BENLUC-3KG", "Chanh không hạt Bến Lức hộp 3kg", _TRAI_CAY, 90_000, None, "GG",
         "Chanh vỏ mỏng, nhiều nước, không hạt, vắt không đắng."),
        ("THANHLONG-LA-5KG", "Thanh long ruột trắng Châu Thành Long An 5kg", _TRAI_CAY,
         110_000, 3, "VG", "Thanh long Châu Thành quả to, vỏ đỏ tươi, ngọt mát."),
    )),
    ("Tiền Giang", "Hợp tác xã Xoài cát Hòa Lộc", (
        ("XOAI-HOALOC-3KG", "Xoài cát Hòa Lộc hộp 3kg", _TRAI_CAY, 210_000, 4, "VG GG",
         "Xoài cát Hòa Lộc thịt vàng mịn, không xơ, thơm ngọt đậm."),
        ("VUSUA-LOREN-3KG", "Vú sữa Lò Rèn Vĩnh Kim hộp 3kg", _TRAI_CAY, 180_000, 4, "VG",
         "Vú sữa Lò Rèn vỏ mỏng, sữa ngọt mát, đặc sản Châu Thành."),
    )),
    ("Tiền Giang", "Công ty TNHH Hủ tiếu Mỹ Tho Sông Tiền", (
        ("HUTIEU-MYTHO-500", "Hủ tiếu khô Mỹ Tho 500g", _GAO, 45_000, 4, "",
         "Sợi hủ tiếu gạo Gò Cát dai trong, trụng nhanh không nát."),
        ("SAURIENG-NGUHIEP-200", "Sầu riêng Ngũ Hiệp sấy giòn 200g", _BANH_KEO, 190_000,
         None, "", "Sầu riêng Ngũ Hiệp sấy giòn, vẫn giữ vị béo ngọt."),
    )),
    ("Bến Tre", "Công ty TNHH Kẹo dừa Mỏ Cày Phú Lễ", (
        ("KEODUA-SR-500", "Kẹo dừa Bến Tre sầu riêng 500g", _BANH_KEO, 65_000, 4, "HACCP",
         "Kẹo dừa nấu từ nước cốt dừa tươi, thơm sầu riêng Cái Mơn."),
        ("KEODUA-LD-400", "Kẹo dừa Bến Tre lá dứa 400g", _BANH_KEO, 55_000, 4, "HACCP",
         "Kẹo dừa xanh lá dứa, dẻo béo, không chất bảo quản."),
        ("KEODUA-DAUPHONG-400", "Kẹo dừa đậu phộng Bến Tre 400g", _BANH_KEO, 50_000, 3, "",
         "Kẹo dừa kết hợp đậu phộng rang, béo bùi, ngọt vừa."),
    )),
    ("Bến Tre", "Hợp tác xã Nông nghiệp Bến Tre Xanh", (
        ("BUOI-DAXANH-4", "Bưởi da xanh Bến Tre hộp 4 quả", _TRAI_CAY, 220_000, 4, "VG GG",
         "Bưởi da xanh ruột hồng, múi ráo, ngọt thanh không đắng."),
        ("DAUDUA-500", "Dầu dừa tinh khiết ép lạnh Bến Tre 500ml", _KHO, 130_000, 4, "ISO",
         "Dầu dừa ép lạnh nguyên chất, dùng nấu ăn và dưỡng tóc."),
    )),
    ("Bến Tre", "Cơ sở Bánh phồng Sơn Đốc Tư Thà", (
        ("BANHPHONG-SD-500", "Bánh phồng Sơn Đốc 500g", _BANH_KEO, 50_000, 4, "",
         "Bánh phồng nếp dừa quết tay, nướng than phồng giòn."),
        ("CHEN-GAODUA-BO", "Bộ chén gáo dừa mỹ nghệ Bến Tre 4 chiếc", _THU_CONG, 150_000, 3,
         "", "Chén làm thủ công từ gáo dừa, phủ dầu an toàn thực phẩm."),
    )),
    ("Trà Vinh", "Hợp tác xã Dừa sáp Cầu Kè", (
        ("DUASAP-2", "Dừa sáp Trà Vinh hộp 2 trái", _TRAI_CAY, 250_000, 4, "VG",
         "Dừa sáp Trà Vinh chính gốc, cơm dày dẻo, nước sánh."),
        ("COMDEP-500", "Cốm dẹp Trà Vinh 500g", _GAO, 60_000, 3, "",
         "Cốm dẹp giã từ nếp non của đồng bào Khmer, trộn dừa ăn liền."),
    )),
    ("Vĩnh Long", "Hợp tác xã Nông sản Bình Minh Mỹ Hòa", (
        ("BUOI-NAMROI-4", "Bưởi Năm Roi Bình Minh hộp 4 quả", _TRAI_CAY, 180_000, 4, "VG",
         "Bưởi Năm Roi múi mọng, ngọt thanh, không hạt."),
        ("KHOAILANG-SAY-300", "Khoai lang tím Bình Tân sấy dẻo 300g", _BANH_KEO, 55_000, 3, "",
         "Khoai lang tím Nhật trồng trên đất giồng cát, sấy dẻo bùi."),
        ("KHOAILANG-5KG", "Khoai lang tím Bình Tân thùng 5kg", _GAO, 95_000, None, "VG",
         "Khoai lang tím ruột đậm, luộc hay nướng đều ngọt bùi."),
    )),
    ("Đồng Tháp", "Công ty Cổ phần Sen Tháp Mười Hương Quê", (
        ("HATSEN-SAY-500", "Hạt sen sấy Tháp Mười 500g", _KHO, 160_000, 4, "",
         "Hạt sen đã lấy tim, nấu chè hay hầm gà đều bở tơi."),
        ("TRA-TIMSEN-200", "Trà tim sen Đồng Tháp 200g", _TRA, 90_000, 4, "",
         "Tim sen sao vàng, uống buổi tối giúp ngủ ngon."),
        ("TRA-LASEN-20", "Trà lá sen Đồng Tháp hộp 20 túi", _TRA, 70_000, None, "",
         "Lá sen sấy khô túi lọc, thanh nhiệt, hỗ trợ giảm mỡ."),
    )),
    ("Đồng Tháp", "Hợp tác xã Quýt hồng Lai Vung", (
        ("QUYTHONG-3KG", "Quýt hồng Lai Vung hộp 3kg", _TRAI_CAY, 150_000, 4, "VG",
         "Quýt hồng vỏ đỏ rực, múi ngọt đậm, đặc sản Lai Vung."),
    )),
    ("An Giang", "Hợp tác xã Thốt nốt Tri Tôn", (
        ("DUONG-THOTNOT-1KG", "Đường thốt nốt An Giang 1kg", _GIA_VI, 75_000, 4, "",
         "Nước thốt nốt nấu cô đến khi đặc lại, ngọt thanh, kho cá rất ngon."),
        ("GAO-NANGNHEN-5KG", "Gạo Nàng Nhen Bảy Núi 5kg", _GAO, 180_000, 4, "HC",
         "Giống lúa mùa một vụ vùng Bảy Núi, cơm thơm, mềm dẻo."),
    )),
    ("An Giang", "Công ty TNHH Mắm Châu Đốc Bà Năm", (
        ("MAM-CALINH-500", "Mắm cá linh Châu Đốc hũ 500g", _GIA_VI, 85_000, 3, "",
         "Mắm cá linh mùa nước nổi, chưng hay kho đều đậm đà."),
        ("KHO-CATRA-500", "Khô cá tra phồng Châu Đốc 500g", _HAI_SAN, 180_000, 4, "HACCP",
         "Khô cá tra phồng nướng lên vàng giòn, xé với xoài chua."),
        ("MAM-THAI-500", "Mắm thái đu đủ Châu Đốc hũ 500g", _GIA_VI, 95_000, 4, "",
         "Mắm cá lóc trộn đu đủ bào sợi, ăn kèm thịt luộc rau sống."),
    )),
    ("Kiên Giang", "Công ty TNHH Nước mắm Phú Quốc Hồng Phúc", (
        ("NUOCMAM-PQ40-500", "Nước mắm Phú Quốc 40 độ đạm 500ml", _GIA_VI, 120_000, 4, "HACCP",
         "Cá cơm than ủ thùng gỗ bời lời mười hai tháng, đạm cao, thơm dịu."),
        ("NUOCMAM-PQ30-750", "Nước mắm Phú Quốc 30 độ đạm chai 750ml", _GIA_VI, 95_000, 3,
         "HACCP", "Chai lớn cho bếp gia đình, vị mặn mòi chuẩn đảo ngọc."),
    )),
    ("Kiên Giang", "Hợp tác xã Tiêu Phú Quốc Cửa Dương", (
        ("TIEU-PQ-500", "Tiêu Phú Quốc 500g", _GIA_VI, 150_000, 4, "",
         "Tiêu Phú Quốc hạt chắc, vị cay thơm, trồng trên đất đảo."),
        ("RUOUSIM-500", "Rượu sim Phú Quốc 500ml", _DO_UONG, 160_000, 4, "",
         "Rượu lên men từ trái sim rừng chín tím, ngọt dịu, thơm nồng."),
    )),
    ("Kiên Giang", "Cơ sở Hải sản khô Hàm Ninh", (
        ("KHO-CATRICH-500", "Khô cá trích Phú Quốc 500g", _HAI_SAN, 220_000, None, "",
         "Cá trích tươi phơi khô, nướng sơ là thơm cả bếp."),
        ("MUC-HAMNINH-300", "Mực khô Hàm Ninh 300g", _HAI_SAN, 450_000, None, "",
         "Mực câu làng chài Hàm Ninh, phơi nắng biển, dày thịt."),
    )),
    ("Cần Thơ", "Công ty TNHH Hủ tiếu Cái Răng Tây Đô", (
        ("HUTIEU-CR-500", "Hủ tiếu khô Cái Răng 500g", _GAO, 40_000, 4, "",
         "Hủ tiếu làng nghề Cái Răng, sợi dai, thơm mùi gạo."),
        ("BANHTRANG-TH-500", "Bánh tráng Thuận Hưng 500g", _GAO, 45_000, None, "",
         "Bánh tráng Thuận Hưng mỏng đều, cuốn gỏi không rách."),
    )),
    ("Cần Thơ", "Hợp tác xã Vườn trái cây Phong Điền", (
        ("BANHTET-LACAM", "Bánh tét lá cẩm Cần Thơ 1kg", _BANH_KEO, 120_000, 4, "",
         "Bánh tét nếp nhuộm lá cẩm tím, nhân đậu xanh thịt mỡ."),
        ("DAU-HACHAU-2KG", "Dâu Hạ Châu hộp 2kg", _TRAI_CAY, 110_000, None, "VG",
         "Dâu Hạ Châu chua ngọt, chấm muối ớt là ngon hết ý."),
    )),
    ("Hậu Giang", "Hợp tác xã Khóm Cầu Đúc", (
        ("KHOM-CAUDUC-5", "Khóm Cầu Đúc hộp 5 trái", _TRAI_CAY, 90_000, 4, "VG",
         "Khóm Cầu Đúc mắt nông, ít xơ, ngọt đậm."),
        ("KHOM-SAY-300", "Khóm sấy dẻo Cầu Đúc 300g", _BANH_KEO, 70_000, 3, "",
         "Khóm sấy dẻo chua ngọt, ăn vặt thay kẹo."),
    )),
    ("Hậu Giang", "Công ty TNHH Thủy sản Hậu Giang Xanh", (
        ("CHACA-THATLAT-500", "Chả cá thát lát Hậu Giang 500g", _HAI_SAN, 160_000, 4,
         "HACCP", "Cá thát lát nuôi Hậu Giang quết sẵn, chiên, hấp hay nấu canh đều dai."),
    )),
    ("Sóc Trăng", "Công ty TNHH Bánh pía Vũng Thơm Tân Huê Viên", (
        ("PIA-SR-4", "Bánh pía Sóc Trăng sầu riêng trứng muối hộp 4 cái", _BANH_KEO, 75_000,
         4, "ISO", "Vỏ bánh nhiều lớp mỏng, nhân sầu riêng béo với trứng muối."),
        ("PIA-MINI-500", "Bánh pía mini đậu xanh Sóc Trăng 500g", _BANH_KEO, 85_000, 3,
         "ISO", "Bánh pía mini tiện ăn, nhân đậu xanh mịn, ít ngọt."),
        ("LAPXUONG-VT-500", "Lạp xưởng Vũng Thơm 500g", _KHO, 160_000, 4, "",
         "Lạp xưởng Vũng Thơm vị ngọt đặc trưng miền Tây, thơm rượu mai quế lộ."),
    )),
    ("Sóc Trăng", "Hợp tác xã Lúa gạo Ngã Năm", (
        ("GAO-ST25-5KG", "Gạo ST25 Sóc Trăng túi 5kg", _GAO, 190_000, 5, "VG",
         "Gạo ST25 từng đạt giải gạo ngon nhất thế giới, cơm dẻo, thơm lá dứa."),
        ("GAO-ST24-5KG", "Gạo ST24 Sóc Trăng túi 5kg", _GAO, 170_000, 4, "VG",
         "ST24 hạt dài, cơm mềm, thơm nhẹ, hợp bữa cơm gia đình."),
    )),
    ("Bạc Liêu", "Hợp tác xã Đặc sản Bạc Liêu Đông Hải", (
        ("MUOI-HAT-1KG", "Muối hạt Bạc Liêu truyền thống 1kg", _GIA_VI, 35_000, 3, "",
         "Muối phơi trên ruộng đất sét theo cách làm trăm năm, mặn dịu, hậu ngọt."),
        ("BANHPHONGTOM-BL-500", "Bánh phồng tôm Bạc Liêu 500g", _BANH_KEO, 95_000, 4, "",
         "Bánh phồng làm từ tôm đất, chiên nở giòn, đậm vị tôm."),
        ("NHAN-SAY-500", "Nhãn sấy Bạc Liêu 500g", _KHO, 150_000, None, "",
         "Nhãn cổ Vĩnh Trạch sấy nguyên quả, cùi dẻo, thơm."),
    )),
    ("Cà Mau", "Công ty Cổ phần Thủy sản Đất Mũi", (
        ("TOMKHO-500", "Tôm khô Rạch Gốc Cà Mau loại 1 500g", _HAI_SAN, 650_000, 4, "HACCP",
         "Tôm đất rừng đước phơi khô, đỏ au, ngọt thịt."),
        ("BAKHIA-500", "Ba khía muối Rạch Gốc hũ 500g", _HAI_SAN, 95_000, 3, "",
         "Ba khía muối chua, trộn tỏi ớt chanh đường, ăn với cơm trắng."),
        ("KHO-CABOI-500", "Khô cá bổi Cà Mau 500g", _HAI_SAN, 280_000, 3, "",
         "Cá bổi phơi khô, nướng than ăn kèm xoài chua."),
    )),
    ("Cà Mau", "Hợp tác xã Ong mật U Minh Hạ", (
        ("MATONG-UMINH-500", "Mật ong rừng U Minh Hạ 500ml", _MAT_ONG, 220_000, 4, "",
         "Mật ong gác kèo rừng tràm U Minh, sánh đặc, thơm hoa tràm."),
    )),
)
# fmt: on


# fmt: off
_FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
)
_MALE_MIDDLE = ("Văn", "Minh", "Đức", "Hữu", "Quốc", "Thanh")
_MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Phong", "Khang", "Tài", "Lộc", "Nam", "Hải", "Quang", "Trung",
    "Sơn", "Thành", "Phúc",
)
_FEMALE_MIDDLE = ("Thị", "Thu", "Ngọc", "Thanh", "Mỹ", "Kim")
_FEMALE_GIVEN = (
    "Lan", "Hoa", "Mai", "Thảo", "Hằng", "Trang", "Linh", "Nhung", "Hương", "Yến", "Vân",
    "Hạnh", "Phượng", "Diễm",
)
# fmt: on
# Mobile prefixes of the big three carriers, so phones look like ones a supplier would give.
_PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098")
_LEGAL_FORMS = ("Hợp tác xã", "Công ty TNHH", "Công ty Cổ phần", "Cơ sở")
# Live discounts cycle through 10–30 %; flooring to 1,000 VND only ever deepens them a little.
_DISCOUNTS = (10, 15, 20, 25, 30, 12, 18, 22, 28)
_STOCK_FACTORS = (8, 10, 12, 15)
_EXPIRY_FIRST = date(2027, 1, 1)
_EXPIRY_SPAN_DAYS = (date(2029, 12, 31) - _EXPIRY_FIRST).days + 1


def _ascii(text: str) -> str:
    """Strip Vietnamese diacritics: "Đắk Lắk" -> "Dak Lak"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in _ascii(text).lower())
    return cleaned.split()


def _email_domain(supplier_name: str) -> str:
    for form in _LEGAL_FORMS:
        if supplier_name.startswith(form):
            supplier_name = supplier_name[len(form) :]
            break
    domain = ""
    for word in _words(supplier_name):
        candidate = f"{domain}-{word}" if domain else word
        if len(candidate) > 28:
            break
        domain = candidate
    return f"{domain}.example"


def _contact(rng: random.Random) -> tuple[str, str]:
    """A Vietnamese full name and the matching ascii mailbox ("lan.nguyen")."""
    family = rng.choice(_FAMILY_NAMES)
    if rng.random() < 0.5:
        middle, given = rng.choice(_FEMALE_MIDDLE), rng.choice(_FEMALE_GIVEN)
    else:
        middle, given = rng.choice(_MALE_MIDDLE), rng.choice(_MALE_GIVEN)
    mailbox = f"{''.join(_words(given))}.{''.join(_words(family))}"
    return f"{family} {middle} {given}", mailbox


def _expiry(rng: random.Random) -> str:
    return (_EXPIRY_FIRST + timedelta(days=rng.randrange(_EXPIRY_SPAN_DAYS))).isoformat()


def _live_price(list_price: int, index: int) -> int:
    discount = _DISCOUNTS[index % len(_DISCOUNTS)]
    return list_price * (100 - discount) // 100 // 1000 * 1000


def _campaign_stock(list_price: int, index: int) -> int:
    # Cheap staples get thousands of units, premium gifts a few hundred.
    units = 120_000_000 // list_price * _STOCK_FACTORS[index % len(_STOCK_FACTORS)] // 10
    return min(5000, max(200, round(units / 50) * 50))


def _talking_points(pitch: str, ocop_stars: int | None, extra_certs: list[str]) -> str:
    sentences = [pitch]
    if ocop_stars is not None:
        sentences.append(f"Sản phẩm đạt OCOP {ocop_stars} sao.")
    if extra_certs:
        sentences.append(f"Có chứng nhận {' và '.join(extra_certs)}.")
    return " ".join(sentences)


def _build_catalogue() -> tuple[tuple[DemoSupplier, ...], tuple[DemoProduct, ...]]:
    rng = random.Random(2024)
    suppliers: list[DemoSupplier] = []
    products: list[DemoProduct] = []
    tax_codes: set[str] = set()
    for province, supplier_name, rows in _CATALOGUE:
        # Ten digits led by the province's position in the 2024 list; invented, not registered.
        tax_code = ""
        while not tax_code or tax_code in tax_codes:
            serial = rng.randrange(10_000_000, 100_000_000)
            tax_code = f"{PROVINCES_2024.index(province) + 1:02d}{serial}"
        tax_codes.add(tax_code)
        contact_name, mailbox = _contact(rng)
        phone = f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        suppliers.append(
            DemoSupplier(
                name=supplier_name,
                province=province,
                tax_code=tax_code,
                contact_name=contact_name,
                contact_phone=phone,
                contact_email=f"{mailbox}@{_email_domain(supplier_name)}",
            )
        )
        for code, name, category, list_price, ocop_stars, cert_codes, pitch in rows:
            index = len(products)
            sku = f"{_SKU_PREFIX[province]}-{code}"
            extra_certs = [_CERT_NAMES[c] for c in cert_codes.split()]
            certifications: list[tuple[str, str]] = []
            if ocop_stars is not None:
                certifications.append((f"OCOP {ocop_stars} sao", _expiry(rng)))
            certifications.extend((cert, _expiry(rng)) for cert in extra_certs)
            products.append(
                DemoProduct(
                    supplier_tax_code=tax_code,
                    sku=sku,
                    name=name,
                    category=category,
                    province=province,
                    list_price=list_price,
                    live_price=_live_price(list_price, index),
                    ocop_stars=ocop_stars,
                    certifications=tuple(certifications),
                    campaign_stock=_campaign_stock(list_price, index),
                    talking_points=_talking_points(pitch, ocop_stars, extra_certs),
                    image_url=f"https://cdn.sieulive.example/products/{sku.lower()}.jpg",
                    buy_link=f"https://sieulive.example/p/{sku.lower()}",
                )
            )
    return tuple(suppliers), tuple(products)


SUPPLIERS, PRODUCTS = _build_catalogue()

# Invented stage names in the style of Vietnamese food and OCOP live-sellers; one per session.
CREATORS: tuple[DemoCreator, ...] = (
    DemoCreator(
        "Hoài Phương Review",
        {"tiktok_shop": "@hoaiphuong.review", "facebook": "hoaiphuong.official"},
    ),
    DemoCreator("Chị Ba Miền Tây", {"tiktok_shop": "@chibamientay", "shopee": "chibamientay"}),
    DemoCreator("Bếp Nhà Mây", {"tiktok_shop": "@bepnhamay", "facebook": "bepnhamay.vn"}),
    DemoCreator("Minh Khang Ăn Gì", {"tiktok_shop": "@minhkhang.angi", "lazada": "minhkhangangi"}),
    DemoCreator(
        "Ngọc Hân Livestream", {"shopee": "ngochan.live", "tiktok_shop": "@ngochan.livestream"}
    ),
    DemoCreator("Tùng Nông Dân 4.0", {"tiktok_shop": "@tungnongdan40", "facebook": "tungnongdan"}),
    DemoCreator("Út Mén Đặc Sản", {"tiktok_shop": "@utmen.dacsan", "shopee": "utmendacsan"}),
    DemoCreator(
        "Thảo Nguyên Vlog", {"facebook": "thaonguyen.vlog", "tiktok_shop": "@thaonguyenvlog"}
    ),
    DemoCreator("Anh Tư Cà Phê", {"tiktok_shop": "@anhtu.caphe", "lazada": "anhtucaphe"}),
    DemoCreator("Lan Chi Đi Chợ", {"shopee": "lanchidicho", "facebook": "lanchi.dicho"}),
    DemoCreator(
        "Quang Huy Foodtour", {"tiktok_shop": "@quanghuy.foodtour", "facebook": "quanghuyfoodtour"}
    ),
    DemoCreator("Mai Anh Mẹ Bỉm", {"shopee": "maianh.mebim", "tiktok_shop": "@maianhmebim"}),
    DemoCreator("Bảo Trâm Săn Sale", {"lazada": "baotram.sansale", "shopee": "baotramsansale"}),
    DemoCreator(
        "Duy Khánh Xứ Nẫu", {"tiktok_shop": "@duykhanh.xunau", "facebook": "duykhanhxunau"}
    ),
    DemoCreator("Hà My Tây Bắc", {"tiktok_shop": "@hamy.taybac", "facebook": "hamytaybac"}),
    DemoCreator("Thanh Tâm Quà Quê", {"shopee": "thanhtam.quaque", "facebook": "thanhtamquaque"}),
    DemoCreator(
        "Trọng Nhân Chợ Phiên",
        {"tiktok_shop": "@trongnhan.chophien", "lazada": "trongnhanchophien"},
    ),
    DemoCreator("Yến Nhi Nhà Vườn", {"tiktok_shop": "@yennhi.nhavuon", "shopee": "yennhinhavuon"}),
    DemoCreator(
        "Đức Anh Kể Chuyện OCOP", {"facebook": "ducanh.ocop", "tiktok_shop": "@ducanh.kechuyenocop"}
    ),
)

RETAILERS: tuple[DemoRetailer, ...] = (
    DemoRetailer("Saigon Co.op", "nguoncung@saigoncoop.example"),
    DemoRetailer("Bách Hóa Xanh", "thumua@bachhoaxanh.example"),
    DemoRetailer("MM Mega Market", "sourcing@mmvietnam.example"),
    DemoRetailer("AEON Việt Nam", "local-sourcing@aeon-vn.example"),
    DemoRetailer("Satra", "kinhdoanh@satra.example"),
    DemoRetailer("Lotte Mart", "md.local@lottemart-vn.example"),
)

# Named after halls of SECC (Saigon Exhibition and Convention Center, District 7), the venue
# the demo assumes for the fair.
STUDIOS: tuple[str, ...] = (
    "Studio A – SECC Hall A",
    "Studio B – SECC Hall B",
    "Studio C – SECC Hall B",
)
