"""Faces (issue 27), Qt-free and torch-free: ``detector`` finds faces and describes each with
dlib's 128-d embedding, ``recognition`` names them from her named faces and clusters the rest.
dlib is optional: without it ``faces_unavailable_reason()`` says why faces are off."""

from .detector import (
    DetectedFace,
    FaceBox,
    FaceModels,
    FacesUnavailable,
    detect_faces,
    faces_unavailable_reason,
)
from .recognition import PersonMatch, PersonMatcher, cluster_faces, fit_calibration

__all__ = ["DetectedFace", "FaceBox", "FaceModels", "FacesUnavailable", "PersonMatch", "PersonMatcher",
           "cluster_faces", "detect_faces", "faces_unavailable_reason", "fit_calibration"]
