"""The place: where the GPS says the photo was taken (GeoNames, offline), named her way.

Near one of her own place keywords (the GeoNames place at its centre, or within that place's
reach) it is hers ('Roma' where she wrote it, not GeoNames' 'Rome'; silent at home, where
her other signals know how often she names it); elsewhere a new one in
her style (``place_style``). Its score is how often she names the place where she is: her
share of the photos taken there that carry it, and for a new place the median of those
shares over the places she travelled to (all but the one she photographs most). Silent for a
photographer without place keywords, a photo without a position (its own or its shoot's),
or one far from any populated place.
"""

from __future__ import annotations

from ...records import Photo
from ..geocode import Place, gazetteer, reach_km
from ..history import ProfileHistory
from ..place_style import PlaceStyle, far_place_columns, position, style_of
from ..timeplace import haversine_km
from .base import Scene, Scored, Signal, register


def locate(h: ProfileHistory, photo: Photo) -> tuple[Place, PlaceStyle | None, bool] | None:
    """The GeoNames place of a photo, her style, and whether the position is its shoot's."""
    where = position(h, photo)
    places = gazetteer() if where is not None else None
    if places is None:
        return None
    place = places.nearest(where[0], where[1])
    return None if place is None else (place, style_of(h, places), where[2])


def far_places(h: ProfileHistory, photo: Photo) -> list[int]:
    """Her place keywords whose every geotagged use is far from where the photo was taken (its
    GPS, else its shoot's): never suggested for it, whatever other signal speaks for them."""
    where = position(h, photo)
    if where is None:
        return []
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
        place, style, from_shoot = located
        key = (place.city, place.country_code)
        near = [t for t, hers in style.places.items()
                if (hers.city, hers.country_code) == key
                or haversine_km(place.lat, place.lon, [hers.lat], [hers.lon])[0] <= reach_km(place.population)]
        if near:
            t = max(near, key=lambda t: h.counts[t])
            if t == style.home:  # at home the shoot, frequency and habits know how she tags
                return Scored({})
            return Scored({h.tags[t]: style.rates[t]}, (place, from_shoot))
        tag = style.compose(place)
        return Scored({tag: style.new_place_rate} if tag else {}, (place, from_shoot))

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        detail = scene.scored(self.name).detail
        if detail is None:
            return None
        place, from_shoot = detail
        km = f"{place.km:.0f}" if place.km >= 1 else "under 1"
        return f"{'its shoot' if from_shoot else 'GPS'} is {km} km from {place.label()} (GeoNames)"
