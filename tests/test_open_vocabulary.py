"""Open vocabulary: every object a question names reaches the detector's classes (indoor words or
not), detections come back in the question's words, and segmentation masks survive any model size."""

from dataclasses import replace

import numpy as np
import pytest

from sagent.agent import RulesPlanner, ask
from sagent.memory.phrases import object_phrases
from sagent.memory.vocabulary import INDOOR_OBJECTS
from sagent.tools.io.frames import frame_from_arrays, read_manifest
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.scene_builder import build_scene
from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder
from sagent.tools.pipeline.settings import detection_labels
from tests.synthetic_rooms import room

# --- the phrases a question names ---

OBJECTS = [
    ("Where is the espresso machine relative to the fridge?", ["espresso machine", "refrigerator"]),
    ("how many coffee mugs are there?", ["coffee mug"]),
    ("Are there any wine glasses on the counter?", ["wine glass", "counter"]),
    ("Is there any yoga mat or exercise bike here?", ["yoga mat", "exercise bike"]),
    ("Which is closer to sofa, lamp or door?", ["sofa", "lamp", "door"]),
    ("Is the bin or the shredder nearer the desk?", ["trash bin", "shredder", "desk"]),
    ("What is the distance between the toaster and the kettle in cm?", ["toaster", "kettle"]),
    ("Which of these is not in the room: a dartboard, a lamp, a sofa?", ["dartboard", "lamp", "sofa"]),
    ("Would a 90 cm wide storage unit fit between the couch and the telly?", ["storage unit", "sofa", "tv"]),
    ("Where's the umbrella stand?", ["umbrella stand"]),
    ("Does the stool stand beside the hob?", ["stool", "stove"]),
    ("Is the telly sitting on the TV stand?", ["tv", "tv stand"]),
    ("Count the picture frames on the wall.", ["picture frame"]),
    ("Is the cactus taller than 1 m?", ["cactus"]),
    ("Is at least one drum set present in the scene?", ["drum set"]),
    ("How many pairs of shoes are by the door?", ["shoes", "door"]),
    ("Do we have two monitors on my desk?", ["monitor", "desk"]),
    ("Is the dog crate against the wall?", ["dog crate"]),
    ("Is the sofa big enough for three people?", ["sofa"]),
    ("How far is the blue chair from the wooden table?", ["chair", "table"]),  # the kind, not the instance
    ("Where is the glass?", ["glass"]),
    ("How far is the person from the door?", ["person", "door"]),
    ("How many people are in the kitchen?", ["person"]),
    ("Where would the new bookcase go?", ["bookshelf"]),
    ("What is the bounding-box volume of the television in liters?", ["tv"]),
    ("The bed is how many times as tall as the wastebasket?", ["bed", "trash bin"]),
    ("What's the height of the bookcase minus the height of the tv in centimeters?", ["bookshelf", "tv"]),
]

# Measures, units, parts, the room, numbers, the camera, directions: no object among them.
NOT_OBJECTS = [
    "How many square metres is the living room?",
    "How big is this room, in m²?",
    "Which is the biggest object in the bedroom?",
    "What's the tallest thing in here?",
    "Which of the following can't be found in this room?",
    "How many millimeters is that?",
    "How many degrees should I turn to face the left?",
    "Which way is the camera facing in the first frame?",
    "Is that true? Give me the correct count.",
    "How many of them are there, roughly two or three?",
    "What's to the right of me, and what's at the back?",
    "Tell me the size and the height of the room.",
]


@pytest.mark.parametrize("question, expected", OBJECTS)
def test_object_phrases_are_the_questions_objects(question, expected):
    assert object_phrases(question) == expected


@pytest.mark.parametrize("question", NOT_OBJECTS)
def test_measures_units_and_the_room_are_no_objects(question):
    assert object_phrases(question) == []


# --- the detector's classes ---


class _Tensor:
    """What ultralytics' result fields answer to: .cpu().numpy()."""

    def __init__(self, array):
        self.array = np.asarray(array)

    def cpu(self):
        return self

    def numpy(self):
        return self.array


class _Result:
    def __init__(self, names, xyxy, cls, conf, masks=None):
        self.names = dict(enumerate(names))
        self.boxes = type("Boxes", (), {"xyxy": _Tensor(xyxy), "cls": _Tensor(cls), "conf": _Tensor(conf)})()
        self.masks = None if masks is None else type("Masks", (), {"data": _Tensor(masks)})()


class FakeYoloe:
    """A YOLOE-seg model at ultralytics' interface: set_classes, then predict finds each of `found`
    (class name -> box, mask at the model's own size) among the classes set."""

    def __init__(self, found: dict[str, tuple[tuple[float, float, float, float], np.ndarray | None]]):
        self.found = found
        self.classes: list[str] = []
        self.set_classes_calls: list[list[str]] = []
        self.predict_kwargs: list[dict] = []

    def set_classes(self, classes, embeddings=None):
        self.set_classes_calls.append(list(classes))
        self.classes = list(classes)

    def predict(self, image, **kwargs):
        self.predict_kwargs.append(kwargs)
        hits = [(self.classes.index(name), box, mask) for name, (box, mask) in self.found.items()
                if name in self.classes]
        masks = [mask for _, _, mask in hits]
        return [_Result(self.classes, [box for _, box, _ in hits], [cls for cls, _, _ in hits], [0.9] * len(hits),
                        np.stack(masks) if hits and all(m is not None for m in masks) else None)]


def frame(height=240, width=320):
    image = np.full((height, width, 3), 128, np.uint8)
    return frame_from_arrays(np.array([[200.0, 0, width / 2], [0, 200.0, height / 2], [0, 0, 1]]), np.eye(4), 0.0,
                             image=image)


def grounder_with(model) -> UltralyticsGrounder:
    grounder = UltralyticsGrounder("yoloe-11s-seg.pt")
    grounder._model = model  # the loaded model, as _load would keep it
    return grounder


def test_a_noun_outside_the_indoor_list_reaches_the_detector():
    assert "espresso machine" not in INDOOR_OBJECTS
    model = FakeYoloe({"espresso machine": ((10, 20, 60, 90), None), "refrigerator": ((100, 20, 160, 200), None)})
    grounder = grounder_with(model)
    labels = detection_labels("Where is the espresso machine?", grounder)
    assert "espresso machine" in labels and set(INDOOR_OBJECTS) <= set(labels) and labels == sorted(set(labels))
    detections = grounder.detect(frame(), labels)
    assert model.set_classes_calls == [labels]
    assert [(d.label, d.box) for d in detections] == [("espresso machine", (10, 20, 60, 90)),
                                                      ("refrigerator", (100, 20, 160, 200))]


def test_without_the_question_the_detector_looks_for_the_indoor_list():
    grounder = grounder_with(FakeYoloe({}))
    assert detection_labels(None, grounder) == list(INDOOR_OBJECTS)
    assert detection_labels("How many fridges and couches?", grounder) == list(INDOOR_OBJECTS)  # known words
    assert detection_labels("Where is the espresso machine?", AnnotationGrounder()) is None


# --- segmentation masks at the model's size ---

# A 240 x 320 frame letterboxed into a 640 x 640 model image: scaled by 2 to 480 x 640, with 80 rows
# of padding above and below.
MODEL_SIZE, PAD = 640, 80


def test_seg_masks_at_the_letterboxed_size_land_in_place_on_the_frame():
    left = np.zeros((MODEL_SIZE, MODEL_SIZE), np.uint8)
    left[:, :MODEL_SIZE // 2] = 1  # the left half of the model's image
    top = np.zeros((MODEL_SIZE, MODEL_SIZE), np.uint8)
    top[PAD:PAD + 240, 100:300] = 1  # the top half of the picture, inside the padding
    model = FakeYoloe({"espresso machine": ((0, 0, 160, 240), left), "kettle": ((50, 0, 150, 120), top)})
    detections = grounder_with(model).detect(frame(), ["espresso machine", "kettle"])
    assert model.predict_kwargs[0]["retina_masks"] is True
    machine, kettle = detections
    assert machine.mask.shape == kettle.mask.shape == (240, 320) and machine.mask.dtype == bool
    assert machine.mask[:, :160].all() and not machine.mask[:, 160:].any()
    rows, cols = np.nonzero(kettle.mask)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (0, 119, 50, 149)


def test_seg_masks_at_the_frames_size_are_kept_as_they_are():
    mask = np.zeros((240, 320), np.uint8)
    mask[30:90, 40:200] = 1
    (detection,) = grounder_with(FakeYoloe({"kettle": ((40, 30, 200, 90), mask)})).detect(frame(), ["kettle"])
    assert np.array_equal(detection.mask, mask.astype(bool))


# --- end to end: an object only the question names ---


class RenamingGrounder:
    """An open-vocabulary detector stand-in: finds the classes it is asked for among the frame's
    annotations, where the generator's plants are espresso machines."""

    name = "renaming"

    def __init__(self):
        self.asked: list[list[str] | None] = []

    def detect(self, frame, labels=None):
        self.asked.append(labels)
        found = [replace(d, label="espresso machine" if d.label == "plant" else d.label)
                 for d in AnnotationGrounder().detect(frame)]
        return [d for d in found if labels is None or d.label in labels]

    def settings(self) -> dict:
        return {"grounder": self.name}


def test_an_object_named_only_by_the_question_is_built_and_answered():
    frames = read_manifest(room(1) / "frames.json")
    plants = sum(1 for f in frames.frames for d in f.detections if d.label == "plant")
    assert plants  # the room has what the stand-in renames
    grounder = RenamingGrounder()
    question = "How many espresso machines are there?"
    scene = build_scene(frames, grounder, detection_labels(question, grounder), name="synthetic_1")
    assert all(labels is not None and "espresso machine" in labels for labels in grounder.asked)
    assert "espresso machine" in scene.labels() and "plant" not in scene.labels()
    assert ask(scene, question, RulesPlanner()).value == len(scene.instances("espresso machine")) >= 1
    assert ask(scene, "Is there an espresso machine in the room?", RulesPlanner()).value is True
