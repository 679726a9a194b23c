"""PDF/A-2b for the searchable PDF: what an archive expects, added without touching the
pages' own content.

What is added: an XMP metadata packet (pdfaid part 2, conformance B, and the document
info mirrored into it, as PDF/A requires the two to agree) and an sRGB output intent
(icc-profiles-free's sRGB.icc, Zlib licence). The file is saved unencrypted; qpdf writes
the trailer /ID and the binary header comment. Tesseract's text uses its glyphless font,
embedded, in invisible render mode 3.

What is checked, because no re-encoding may fix it: a page's own features that PDF/A-2b
forbids (fonts not embedded, DeviceCMYK colour under an sRGB intent, LZW images,
transfer functions, JavaScript and other actions, annotations that do not print
or have no appearance, forms that ask the viewer to draw them, embedded files, optional
content, a PDF 2.0 header). A document with any of them is written as a plain PDF and
the reason is logged (the JSON says `pdf_type: pdf`): a file that claims PDF/A and is not
would be worse. No PDF/A validator installs from the registries this project uses (veraPDF is
Java and in none of them), so each requirement is tested directly (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name

SRGB_PROFILE = Path("/usr/share/color/icc/sRGB.icc")  # Debian's icc-profiles-free
PRODUCER = "DocVault Ingest"
_INFO_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?")
# Annotation flags (PDF 32000 12.5.3): Invisible 1, Hidden 2, Print 4, NoView 32,
# ToggleNoView 256.
_PRINT, _HIDING = 4, 1 | 2 | 32 | 256
_NO_APPEARANCE_NEEDED = {"/Popup", "/Link"}
_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData",
                      "/Hide", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}


def obstacles(pdf: pikepdf.Pdf) -> list[str]:
    """What in the document keeps it from being PDF/A-2b without re-encoding it; empty
    when nothing does."""
    found: list[str] = []
    if str(pdf.pdf_version) > "1.7":
        found.append(f"it is a PDF {pdf.pdf_version} file")
    root = pdf.Root
    if "/Names" in root and ("/JavaScript" in root.Names or "/EmbeddedFiles" in root.Names):
        found.append("it holds JavaScript or embedded files")
    if "/AA" in root or _bad_action(root.get("/OpenAction")):
        found.append("it runs actions when opened")
    if "/OCProperties" in root:
        found.append("it has optional content (layers)")
    form = root.get("/AcroForm")
    if form is not None and bool(form.get("/NeedAppearances", False)):
        found.append("its form fields have no appearance of their own")
    if form is not None and "/XFA" in form:
        found.append("it holds an XFA form")
    for number, page in enumerate(pdf.pages, 1):
        found += [f"page {number}: {why}" for why in _page_obstacles(page.obj)]
    return sorted(set(found))


def _page_obstacles(page: pikepdf.Object) -> Iterator[str]:
    if "/AA" in page:
        yield "it runs actions"
    for annot in page.get("/Annots", Array()):
        if not isinstance(annot, Dictionary):
            continue
        flags = int(annot.get("/F", 0))
        subtype = _name(annot.get("/Subtype"))
        if subtype != "/Popup" and (not flags & _PRINT or flags & _HIDING):
            yield f"a {subtype[1:]} annotation that does not print"
        if subtype not in _NO_APPEARANCE_NEEDED and "/N" not in annot.get("/AP", Dictionary()):
            yield f"a {subtype[1:]} annotation without an appearance"
        if "/AA" in annot or _bad_action(annot.get("/A")):
            yield "an annotation that runs actions"
    yield from _resource_obstacles(page.get("/Resources"))


def _resource_obstacles(resources: pikepdf.Object | None) -> Iterator[str]:
    for level in _all_resources(resources):
        for font in _values(level.get("/Font", Dictionary())):
            if isinstance(font, Dictionary) and not _is_embedded(font):
                yield f"font {_name(font.get('/BaseFont'))[1:] or '?'} is not embedded"
        for state in _values(level.get("/ExtGState", Dictionary())):
            if isinstance(state, Dictionary) and ("/TR" in state or "/HTP" in state
                                                  or _name(state.get("/TR2", Name("/Default"))) != "/Default"):
                yield "it uses a transfer function"
        for name, space in _items(level.get("/ColorSpace", Dictionary())):
            if _is_cmyk(space) and name != "/DefaultCMYK":
                yield "it uses DeviceCMYK colour"
        for xobject in _values(level.get("/XObject", Dictionary())):
            subtype = _name(xobject.get("/Subtype")) if isinstance(xobject, pikepdf.Stream) else ""
            if subtype == "/Image":
                if _is_cmyk(xobject.get("/ColorSpace")):
                    yield "an image is in DeviceCMYK colour"
                if "/LZWDecode" in _filters(xobject):
                    yield "an image is LZW-compressed"
            elif subtype == "/PS":
                yield "it holds PostScript"


def _all_resources(resources: pikepdf.Object | None, depth: int = 0) -> Iterator[pikepdf.Object]:
    """A page's resources and those of the forms it draws, and theirs (to a depth)."""
    if not isinstance(resources, Dictionary) or depth > 8:
        return
    yield resources
    for xobject in _values(resources.get("/XObject", Dictionary())):
        if isinstance(xobject, pikepdf.Stream) and _name(xobject.get("/Subtype")) == "/Form":
            yield from _all_resources(xobject.get("/Resources"), depth + 1)


def _name(value: pikepdf.Object | None) -> str:
    """A name as text ("/DeviceRGB"); "" for anything else (pikepdf 6 cannot str() it)."""
    return str(value) if isinstance(value, Name) else ""


def _items(dictionary: pikepdf.Object) -> list[tuple[str, pikepdf.Object]]:
    """A dictionary's entries (pikepdf 6, Debian bookworm's, has keys() alone)."""
    return [(key, dictionary[key]) for key in dictionary.keys()] if isinstance(dictionary, Dictionary) else []


def _values(dictionary: pikepdf.Object) -> list[pikepdf.Object]:
    return [value for _, value in _items(dictionary)]


def _is_embedded(font: pikepdf.Object) -> bool:
    subtype = _name(font.get("/Subtype"))
    if subtype == "/Type3":
        return True  # its glyphs are drawn by its own content streams
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts", Array())
        return all(isinstance(d, Dictionary) and _is_embedded(d) for d in descendants) and len(descendants) > 0
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _is_cmyk(space: pikepdf.Object | None) -> bool:
    return _name(space) == "/DeviceCMYK"


def _filters(stream: pikepdf.Stream) -> set[str]:
    value = stream.get("/Filter")
    if value is None:
        return set()
    return {_name(v) for v in value} if isinstance(value, Array) else {_name(value)}


def _bad_action(action: pikepdf.Object | None) -> bool:
    return isinstance(action, Dictionary) and _name(action.get("/S")) in _FORBIDDEN_ACTIONS


def make_pdfa(pdf: pikepdf.Pdf, now: dt.datetime) -> None:
    """Add what PDF/A-2b asks of the document as a whole (in place): XMP metadata that
    agrees with the document info, and the sRGB output intent. An image's /Interpolate
    (a hint to viewers that PDF/A forbids) is dropped; its pixels stay as they are."""
    for page in pdf.pages:
        for level in _all_resources(page.obj.get("/Resources")):
            for xobject in _values(level.get("/XObject", Dictionary())):
                if isinstance(xobject, pikepdf.Stream) and "/Interpolate" in xobject:
                    del xobject.Interpolate
    info = _info(pdf, now)
    xmp = _xmp(info)
    metadata = pdf.make_stream(xmp)
    metadata.Type = Name.Metadata
    metadata.Subtype = Name("/XML")
    pdf.Root.Metadata = metadata
    profile = pdf.make_stream(SRGB_PROFILE.read_bytes())
    profile.N = 3
    intent = Dictionary(Type=Name.OutputIntent, S=Name("/GTS_PDFA1"),
                        OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                        Info=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=profile)
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _info(pdf: pikepdf.Pdf, now: dt.datetime) -> dict[str, object]:
    """The document info, tidied so that XMP can say the same: a date it cannot read is
    dropped, ModDate is now and Producer is ours (the file is ours now); the rest stays."""
    source = pdf.trailer.get("/Info")
    info = Dictionary({k: source[k] for k in source.keys()}) if isinstance(source, Dictionary) else Dictionary()
    values: dict[str, object] = {}
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator"):
        if key in info:
            text = str(info[key]).strip()
            if text:
                values[key] = text
            else:
                del info[key]
    created = _parse_date(str(info.get("/CreationDate", ""))) if "/CreationDate" in info else None
    if created is None and "/CreationDate" in info:
        del info.CreationDate
    elif created is not None:
        values["/CreationDate"] = created
    if "/Trapped" in info:  # XMP would have to say it too; nothing reads it in an archive
        del info.Trapped
    values["/ModDate"] = now
    values["/Producer"] = PRODUCER
    info.ModDate = pikepdf.String(_pdf_date(now))
    info.Producer = pikepdf.String(PRODUCER)
    pdf.trailer.Info = pdf.make_indirect(info)
    return values


def _parse_date(text: str) -> dt.datetime | None:
    match = _INFO_DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = match.groups()
    try:
        offset = dt.timedelta(hours=int(tz_h or 0), minutes=int(tz_m or 0))
        zone = dt.timezone(-offset if sign == "-" else offset) if sign else dt.timezone.utc
        return dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                           int(minute or 0), int(second or 0), tzinfo=zone)
    except ValueError:
        return None


def _pdf_date(when: dt.datetime) -> str:
    offset = when.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{minutes // 60:02d}'{minutes % 60:02d}'"


def _xmp(values: dict[str, object]) -> bytes:
    def text(key: str) -> str:
        return escape(str(values[key]))

    def date(key: str) -> str:
        return values[key].isoformat(timespec="seconds")  # type: ignore[attr-defined]

    props = ["<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>",
             f"<pdf:Producer>{text('/Producer')}</pdf:Producer>",
             f"<xmp:ModifyDate>{date('/ModDate')}</xmp:ModifyDate>",
             f"<xmp:MetadataDate>{date('/ModDate')}</xmp:MetadataDate>"]
    if "/CreationDate" in values:
        props.append(f"<xmp:CreateDate>{date('/CreationDate')}</xmp:CreateDate>")
    if "/Creator" in values:
        props.append(f"<xmp:CreatorTool>{text('/Creator')}</xmp:CreatorTool>")
    if "/Keywords" in values:
        props.append(f"<pdf:Keywords>{text('/Keywords')}</pdf:Keywords>")
    if "/Title" in values:
        props.append(f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text("/Title")}</rdf:li></rdf:Alt></dc:title>')
    if "/Subject" in values:
        props.append('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
                     f'{text("/Subject")}</rdf:li></rdf:Alt></dc:description>')
    if "/Author" in values:
        props.append(f"<dc:creator><rdf:Seq><rdf:li>{text('/Author')}</rdf:li></rdf:Seq></dc:creator>")
    body = "\n   ".join(props)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")
