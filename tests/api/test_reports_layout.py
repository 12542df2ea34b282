"""The lägesbild as a coordinator presents it: the demo's meeting and yearly reports, laid out.

Every ranked place is numbered on the map inside a frame, every page says "Sida n av m" and the
meeting date, the wording is the coordinator's, and nothing runs past the page's right edge.
"""

import re
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from geo_service.reports.meeting import meeting_report_context, meeting_report_html
from geo_service.reports.yearly import yearly_report_html
from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, lagesbild_as

YEAR = LAST_MEETING.year


def _page_texts(pdf: bytes) -> list[str]:
    """Each page's text with line breaks and runs of spaces made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def _overflow(html: str) -> list[tuple[int, str, float]]:
    """(page, element, points) for every laid-out box that ends right of the page's content."""
    found = []

    def walk(box: boxes.Box, page: int, right: float) -> None:
        if isinstance(box, boxes.MarginBox):
            return
        if getattr(box, "width", None) is not None:
            over = box.border_box_x() + box.border_width() - right
            if over > 0.5:
                found.append((page, getattr(box, "element_tag", "?"), round(over, 1)))
        for child in getattr(box, "children", None) or []:
            walk(child, page, right)

    for number, page in enumerate(HTML(string=html).render().pages, start=1):
        page_box = page._page_box
        walk(page_box, number, page_box.content_box_x() + page_box.width)
    return found


@pytest.fixture(scope="module")
def meeting_context(prio_db: PriorityDb) -> dict:
    with Session(prio_db.engine) as session:
        return meeting_report_context(session, MC, LAST_MEETING, "sv")


def test_every_ranked_place_is_numbered_inside_a_frame(meeting_context: dict) -> None:
    image = meeting_context["map"]
    ranks = {int(item["rank"]) for item in meeting_context["items"]}
    assert ranks and set(image.drawn) == ranks
    frames = {frame.name: frame for frame in image.frames}
    assert frames["A"].numbers  # the town
    for rank, letter in image.drawn.items():
        assert rank in frames[letter].numbers
    oderljunga = next(i for i in meeting_context["items"] if i["name"] == "Oderljunga")
    assert image.frame_of(oderljunga["rank"]) not in ("", "A")  # a frame of its own, B…


def test_the_meeting_pdf_numbers_its_pages_and_dates_each_one(
    client: TestClient, prio_db: PriorityDb
) -> None:
    pages = _page_texts(lagesbild_as(client, prio_db, "coordinator").content)
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert f"Sida {n} av {len(pages)}" in text
        assert f"EST-möte {LAST_MEETING.isoformat()}" in text
    whole = " ".join(pages)
    assert "de senaste 14 dagarna" in whole
    assert "senaste 14 dagarna" not in whole.replace("de senaste 14 dagarna", "")
    assert "Olösta rader i karantän" in whole and "ej lästa" not in whole


def test_the_english_pdf_says_page_n_of_m(client: TestClient, prio_db: PriorityDb) -> None:
    pages = _page_texts(lagesbild_as(client, prio_db, "viewer", lang="en").content)
    assert all(f"Page {n} of {len(pages)}" in t for n, t in enumerate(pages, start=1))
    assert "in the last 14 days" in " ".join(pages)


def test_the_table_names_the_frame_of_each_place_and_one_caution_at_most(
    prio_db: PriorityDb,
) -> None:
    with Session(prio_db.engine) as session:
        html = meeting_report_html(session, MC, LAST_MEETING, "sv")
    frames = re.findall(r'<td class="frame">([A-Z]?)</td>', html)
    assert frames and all(frames)  # every ranked row names its map frame
    assert {"A", "B"} <= set(frames)
    cautions = re.findall(r'<p class="caution">(.*?)</p>', html, flags=re.S)
    assert len(cautions) <= 1
    assert all(c.count(". ") == 0 for c in cautions)  # one plain sentence


def test_no_page_of_either_report_runs_off_the_page(prio_db: PriorityDb) -> None:
    with Session(prio_db.engine) as session:
        meeting = meeting_report_html(session, MC, LAST_MEETING, "sv")
        yearly = yearly_report_html(session, MC, YEAR, "sv")
    assert _overflow(meeting) == []
    assert _overflow(yearly) == []


def test_the_yearly_report_is_landscape_numbered_and_marks_the_part_year(
    prio_db: PriorityDb,
) -> None:
    from geo_service.reports.pdf import html_to_pdf

    with Session(prio_db.engine) as session:
        html = yearly_report_html(session, MC, YEAR, "sv")
    pdf = html_to_pdf(html)
    reader = PdfReader(BytesIO(pdf))
    assert all(p.mediabox.width > p.mediabox.height for p in reader.pages)  # A4 landscape
    pages = _page_texts(pdf)
    for n, text in enumerate(pages, start=1):
        assert f"Sida {n} av {len(pages)}" in text and f"Årlig lägesbild {YEAR}" in text
    whole = " ".join(pages)
    assert "Året är inte helt täckt av data: 2026 (1 jan–" in whole  # the demo ends in November
    assert "Var händer det?" in whole and "Oderljunga" in whole
    assert html.count("data:image/png;base64,") == 6  # map, hour, weekday, wheel, trend, backtest
