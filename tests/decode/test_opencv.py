from orchestrator.decode.base import Decoded, DecodeError
from orchestrator.decode.opencv import OpenCVDecoder


def test_decodes_frames_and_reports_corrupt_ones_alone(vtest_jpegs) -> None:
    corrupt = b"\xff\xd8\xff\xe0" + b"\x00" * 500 + b"\xff\xd9"
    out = OpenCVDecoder().decode([vtest_jpegs[0], corrupt, vtest_jpegs[1]])
    assert isinstance(out[0], Decoded) and out[0].image.shape == (576, 768, 3)
    assert isinstance(out[1], DecodeError) and out[1].code == "corrupt"
    assert isinstance(out[2], Decoded)
