"""Real-looking documents for the insights' tests and bench: PDFs with Chinese text (STSong-Light, UniGB-UTF16-H,
no font embedded — the text layer is what is read), .docx and .xlsx files, and 公文-like texts."""

from __future__ import annotations

import io

from kaohe.demo.documents import make_pdf as make_pdf  # re-exported: the tests and bench/insights.py use it


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(rows: list[list[object]], title: str = "台账") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def official(organ: str, number: str, title: str, body: list[str], date: str) -> str:
    """The text of a 公文: 版头, 文号, title, body paragraphs, 落款 and 成文日期."""
    return "\n".join([f"{organ}文件", "", number, "", title, *body, "", organ, date])


REPORT_BODY = [
    "2020年，在市委、市政府的坚强领导下，我县深入学习贯彻习近平法治思想，全面落实法治政府建设实施纲要，",
    "坚持把法治政府建设作为全局性、基础性工作来抓，各项工作取得明显成效。",
    "一、加强组织领导。县政府常务会议专题研究法治政府建设工作4次，制定年度工作要点，明确责任分工。",
    "二、推进依法科学民主决策。严格落实重大行政决策程序规定，重大决策事项全部经过合法性审查。",
    "三、严格规范公正文明执法。全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "四、强化行政权力制约监督。自觉接受人大监督和政协民主监督，认真办理人大代表建议和政协委员提案。",
    "五、依法有效化解社会矛盾纠纷。完善行政复议体制，全年受理行政复议案件37件，依法审结35件。",
    "六、存在的问题。部分单位对法治政府建设重视不够，执法人员素质有待提升，行政应诉能力仍需加强。",
    "七、下一步工作打算。持续深化法治政府建设示范创建，加大行政执法人员培训力度，提升依法行政水平。",
]

UNRELATED_BODY = [
    "为切实做好今冬明春森林防火工作，确保全县森林资源安全，现就有关事项通知如下。",
    "各乡镇要严格落实森林防火行政首长负责制，层层签订目标责任书，把责任落实到山头地块。",
    "要加强野外火源管理，在重点区域、重要路口设立防火检查站，严禁携带火种进山入林。",
    "要组建专业扑火队伍，储备扑火物资，一旦发生火情，做到打早、打小、打了。",
    "县应急管理局要加强督导检查，对责任不落实、措施不到位造成火灾的，依法依规追究责任。",
]
