import pytest

from photosim.metadata import xmp_packet
from tagassist.library.keywords import KeywordError, parse_iptc_keywords, parse_xmp_keywords

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'


def test_lightroom_flat_copies_of_hierarchy_levels_are_dropped():
    packet = xmp_packet(["Places|Italy|Rome", "travel", "Roma2024"])
    assert parse_xmp_keywords(packet) == ["Places|Italy|Rome", "travel", "Roma2024"]


def test_digikam_tags_list_uses_slash_hierarchy():
    packet = f"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {RDF}>
      <rdf:Description xmlns:digiKam="http://www.digikam.org/ns/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <digiKam:TagsList><rdf:Seq><rdf:li>People/Family/Anna</rdf:li></rdf:Seq></digiKam:TagsList>
        <dc:subject><rdf:Bag><rdf:li>Anna</rdf:li><rdf:li>birthday</rdf:li></rdf:Bag></dc:subject>
      </rdf:Description></rdf:RDF></x:xmpmeta>"""
    assert parse_xmp_keywords(packet) == ["People|Family|Anna", "birthday"]


def test_no_keywords_and_empty_packets():
    assert parse_xmp_keywords(b"") == []
    assert parse_xmp_keywords(b"\x00\x00") == []
    assert parse_xmp_keywords(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {RDF}/></x:xmpmeta>') == []


def test_entity_expansion_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<x>&lol3;</x>"
    )
    with pytest.raises(KeywordError, match="unsafe XML"):
        parse_xmp_keywords(bomb)


def test_external_entities_are_refused():
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(KeywordError):
        parse_xmp_keywords(xxe)


def test_malformed_xml_gives_a_one_line_reason():
    with pytest.raises(KeywordError, match="not well-formed") as info:
        parse_xmp_keywords(b"<x:xmpmeta><rdf:RDF>")
    assert "\n" not in str(info.value)


def test_iptc_keywords_utf8_and_latin1():
    utf8 = {(1, 90): b"\x1b%G", (2, 25): ["Kr\u00f6te".encode(), b"Rome"]}  # ESC % G: the records are UTF-8
    assert parse_iptc_keywords(utf8) == ["Kr\u00f6te", "Rome"]
    assert parse_iptc_keywords({(2, 25): b"K\xf6ln"}) == ["K\u00f6ln"]  # legacy Latin-1
    assert parse_iptc_keywords(None) == []
