"""The demo's shops and sites are named in Tibetan and English from the parts of their Chinese names."""

import pytest

from villagelink.demo.names import genitive, with_shad


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("རྣམ་གླིང་རྫོང", "རྣམ་གླིང་རྫོང་གི་"),  # after ང: གི
        ("ཁྲིན་ཀོན་ཆུས", "ཁྲིན་ཀོན་ཆུས་ཀྱི་"),  # after ས: ཀྱི
        ("ལྷ་ས་གྲོང་ཁྱེར", "ལྷ་ས་གྲོང་ཁྱེར་གྱི་"),  # after ར: གྱི
        ("ལྷུན་པོ་ཁ་གྲོང་ཚོ", "ལྷུན་པོ་ཁ་གྲོང་ཚོའི་"),  # after a vowel: འི
        ("ཟླ་བ", "ཟླ་བའི་"),  # བ as the syllable's only letter is no suffix
    ],
)
def test_the_genitive_follows_the_last_letter(name, expected):
    assert genitive(name) == expected


@pytest.mark.parametrize(("text", "expected"), [("ཚོང་ཁང", "ཚོང་ཁང་།"), ("ཀུང་སི", "ཀུང་སི།")])
def test_a_shad_after_nga_takes_a_tsheg_first(text, expected):
    assert with_shad(text) == expected
