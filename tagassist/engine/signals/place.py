"""The place: where the GPS says the photo was taken (GeoNames, offline), named her way.

Near one of her own place keywords (the GeoNames place at its centre, or within that place's
reach) it is hers ('Roma' where she wrote it, not GeoNames' 'Rome'; silent at home, where
her other signals know how often she names it); elsewhere a new one in
her style (``place_style``). Its score is how often she names the place where she is: her
share of the photos taken there that carry it, and for a new place the median of those
shares over the places she travelled to (all but the one she photographs most). Without a position
(its own or its shoot's) the city its location field names places it (photoshop:City or an
IPTC location: her keyword for that city, else GeoNames' place of that name). Silent for a
photographer without place keywords, a photo placed by none of these, or one far from any
populated place.
"""

from __future__ import annotations

from dataclasses import replace

from ...records import Photo
from ..geocode import Place, gazetteer, reach_km
from ..history import ProfileHistory
from ..place_style import PlaceStyle, far_place_columns, keyword_named, position, style_of
from ..timeplace import haversine_km
from .base import Scene, Scored, Signal, register


def locate(h: ProfileHistory, photo: Photo) -> tuple[Place, PlaceStyle | None, str] | None:
    """The GeoNames place of a photo, her style, and what placed it: 'GPS', 'its shoot', or
    the location field's words (a photo without a position whose files name its city)."""
    where = position(h, photo)
    places = gazetteer() if where is not None or photo.location else None
    if places is None:
        return None
    if where is None:
        return by_name(h, places, photo)
    place = places.nearest(where[0], where[1])
    return None if place is None else (place, style_of(h, places), "its shoot" if where[2] else "GPS")


def by_name(h: ProfileHistory, places, photo: Photo) -> tuple[Place, PlaceStyle | None, str] | None:
    """The place a photo's location field names: her place keyword's where she has one for
    that city (her geotagged 'Lisbon' for a field that says 'Lisboa'), else GeoNames' place of
    that name."""
    city, _, country = photo.location_parts
    if not city:
        return None
    style = style_of(h, places)
    t = keyword_named(h, style, city, country) if style is not None else None
    place = replace(style.places[t], km=0.0) if t is not None else places.named(city, country)
    words = ", ".join(w for w in (city, country) if w)
    return None if place is None else (place, style, words)


def far_places(h: ProfileHistory, photo: Photo) -> list[int]:
    """Her place keywords whose every geotagged use is far from where the photo was taken (its
    GPS, else its shoot's, else the city its location field names): never suggested for it,
    whatever other signal speaks for them."""
    where = position(h, photo)
    if where is None:
        named = locate(h, photo) if photo.location else None  # the city its location field names
        if named is None:
            return []
        place = named[0]
        return far_place_columns(h, gazetteer(), place.lat, place.lon, place).tolist()
    places = gazetteer()
    place = places.nearest(where[0], where[1]) if places is not None else None
    return far_place_columns(h, places, where[0], where[1], place).tolist()


@register
class GeocodedPlace(Signal):
    name, weight, position = "place", 0.8, 9

    def score(self, scene: Scene) -> Scored:
        h = scene.history
        located = locate(h, scene.photo)
        if located is None or located[1] is None:
            return Scored({})
        place, style, source = located
        key = (place.city, place.country_code)
        near = [t for t, hers in style.places.items()
                if (hers.city, hers.country_code) == key
                or haversine_km(place.lat, place.lon, [hers.lat], [hers.lon])[0] <= reach_km(place.population)]
        if near:
            t = max(near, key=lambda t: h.counts[t])
            if t == style.home:  # at home the shoot, frequency and habits know how she tags
                return Scored({})
            return Scored({h.tags[t]: style.rates[t]}, (place, source))
        tag = style.compose(place)
        return Scored({tag: style.new_place_rate} if tag else {}, (place, source))

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        detail = scene.scored(self.name).detail
        if detail is None:
            return None
        place, source = detail
        if source not in ("GPS", "its shoot"):
            return f"its location field says {source}"
        km = f"{place.km:.0f}" if place.km >= 1 else "under 1"
        return f"{source} is {km} km from {place.label()} (GeoNames)"
