"""Which sidecar belongs to which photo, and where each style writes (library/photo_files.py)."""

from tagassist.library.photo_files import PhotoFiles, assign_sidecars, group_photos, targets


def layout(*names, pair_raw=True):
    found = assign_sidecars(names, group_photos(names, pair_raw))
    return found.sidecars, found.orphaned, found.ambiguous


def test_each_naming_belongs_to_its_file_and_a_pair_has_both():
    sidecars, orphaned, _ = layout("IMG_1.CR2", "IMG_1.JPG", "IMG_1.xmp", "IMG_1.CR2.xmp", "IMG_1.JPG.xmp")
    assert sidecars == {"IMG_1.CR2": ("IMG_1.CR2.xmp", "IMG_1.JPG.xmp", "IMG_1.xmp")} and orphaned == []


def test_a_shared_stem_goes_to_the_only_proprietary_raw_or_to_nobody():
    sidecars, _, ambiguous = layout("x.png", "x.cr2", "x.dng", "x.xmp")
    assert sidecars == {"x.cr2": ("x.xmp",)} and ambiguous == {}
    sidecars, _, ambiguous = layout("x.cr2", "x.cr3", "x.xmp")
    assert sidecars == {} and ambiguous == {"x.xmp": ("x.cr2", "x.cr3")}
    sidecars, _, ambiguous = layout("IMG_5.jpg", "IMG_5.png", "IMG_5.xmp")
    assert sidecars == {} and ambiguous == {"IMG_5.xmp": ("IMG_5.jpg", "IMG_5.png")}


def test_separate_raw_and_jpeg_leave_the_stem_sidecar_to_the_raw():
    sidecars, _, _ = layout("IMG_1.CR2", "IMG_1.JPG", "IMG_1.xmp", pair_raw=False)
    assert sidecars == {"IMG_1.CR2": ("IMG_1.xmp",)}


def test_names_differing_in_case_keep_their_own_and_fall_back_only_when_alone():
    sidecars, orphaned, _ = layout("IMG_0001.JPG", "IMG_0001.xmp", "img_0001.jpg", "img_0001.xmp")
    assert sidecars == {"IMG_0001.JPG": ("IMG_0001.xmp",), "img_0001.jpg": ("img_0001.xmp",)}
    sidecars, orphaned, _ = layout("DSC_7.JPG", "dsc_7.XMP")
    assert sidecars == {"DSC_7.JPG": ("dsc_7.XMP",)} and orphaned == []
    sidecars, orphaned, _ = layout("A.jpg", "a.jpg", "A.Jpg.xmp")  # fits neither exactly, both but for case
    assert sidecars == {} and orphaned == ["A.Jpg.xmp"]


def test_a_sidecar_left_behind_is_orphaned():
    sidecars, orphaned, _ = layout("renamed.jpg", "DSCF1103.xmp")
    assert sidecars == {} and orphaned == ["DSCF1103.xmp"]


def files(path, *sidecars, companion=None, free=True):
    return PhotoFiles(path, companion, tuple(sidecars), free)


def test_each_style_writes_where_its_program_reads():
    jpeg = files("/l/a.jpg")
    assert targets(jpeg, "lightroom", False) == (["/l/a.jpg"], [])
    assert targets(jpeg, "auto", False) == (["/l/a.jpg"], [])
    assert targets(jpeg, "darktable", False) == (["/l/a.jpg.xmp"], [])
    pair = files("/l/b.CR2", companion="/l/b.JPG")
    assert targets(pair, "lightroom", False)[0] == ["/l/b.xmp"]
    assert targets(pair, "digikam", False)[0] == ["/l/b.CR2.xmp", "/l/b.JPG.xmp"]
    shared = files("/l/x.cr2", free=False)
    written, notes = targets(shared, "lightroom", False)
    assert written == ["/l/x.cr2.xmp"] and "more than one photo" in notes[0]


def test_existing_files_stay_in_step_and_auto_adds_nothing_where_a_sidecar_exists():
    darktable = files("/l/c.CR2", "/l/c.CR2.xmp", companion="/l/c.JPG")
    assert targets(darktable, "auto", False)[0] == ["/l/c.CR2.xmp"]
    assert targets(darktable, "lightroom", False)[0] == ["/l/c.CR2.xmp", "/l/c.xmp"]
    owl = files("/l/owl.jpg", "/l/owl.xmp")
    assert targets(owl, "auto", False, holding=["/l/owl.jpg"])[0] == ["/l/owl.xmp", "/l/owl.jpg"]
    assert targets(owl, "auto", False)[0] == ["/l/owl.xmp"]
