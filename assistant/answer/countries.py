"""Countries and international bodies as news names them: how a statement's party is known.

Each entry is (party, adjective, other names).  Other names are the ways a report
speaks for a state: the country's names, its capital and its seat of government
("Beijing said", "the Kremlin said", "Downing Street said").  Matched case-sensitively
on word boundaries, so "US" is a country and "us" a pronoun.  General knowledge of
the world, not of any corpus; extend it freely.
"""

from __future__ import annotations

COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "US",
        "US",
        (
            "U.S.",
            "USA",
            "United States",
            "America",
            "American",
            "Washington",
            "White House",
            "State Department",
            "Pentagon",
            "Congress",
        ),
    ),
    ("China", "Chinese", ("Beijing", "People's Republic of China", "PRC")),
    ("Russia", "Russian", ("Moscow", "Kremlin", "Russian Federation")),
    ("Ukraine", "Ukrainian", ("Kyiv", "Kiev")),
    ("UK", "British", ("U.K.", "United Kingdom", "Britain", "London", "Downing Street", "Whitehall")),
    ("France", "French", ("Paris", "Elysée", "Élysée")),
    ("Germany", "German", ("Berlin",)),
    ("Italy", "Italian", ("Rome",)),
    ("Spain", "Spanish", ("Madrid",)),
    ("Poland", "Polish", ("Warsaw",)),
    ("EU", "EU", ("European Union", "European Commission", "Brussels")),
    ("NATO", "NATO", ()),
    ("UN", "UN", ("United Nations",)),
    ("Japan", "Japanese", ("Tokyo",)),
    ("South Korea", "South Korean", ("Seoul",)),
    ("North Korea", "North Korean", ("Pyongyang",)),
    ("Taiwan", "Taiwanese", ("Taipei",)),
    ("India", "Indian", ("New Delhi",)),
    ("Pakistan", "Pakistani", ("Islamabad",)),
    ("Afghanistan", "Afghan", ("Kabul",)),
    ("Iran", "Iranian", ("Tehran",)),
    ("Iraq", "Iraqi", ("Baghdad",)),
    ("Syria", "Syrian", ("Damascus",)),
    ("Israel", "Israeli", ("Jerusalem",)),
    ("Palestine", "Palestinian", ("Ramallah",)),
    ("Turkey", "Turkish", ("Ankara", "Türkiye")),
    ("Saudi Arabia", "Saudi", ("Riyadh",)),
    ("Qatar", "Qatari", ("Doha",)),
    ("Egypt", "Egyptian", ("Cairo",)),
    ("South Africa", "South African", ("Pretoria",)),
    ("Nigeria", "Nigerian", ("Abuja",)),
    ("Canada", "Canadian", ("Ottawa",)),
    ("Mexico", "Mexican", ("Mexico City",)),
    ("Brazil", "Brazilian", ("Brasília", "Brasilia")),
    ("Argentina", "Argentine", ("Buenos Aires",)),
    ("Australia", "Australian", ("Canberra",)),
    ("Indonesia", "Indonesian", ("Jakarta",)),
    ("Vietnam", "Vietnamese", ("Hanoi",)),
    ("Philippines", "Philippine", ("Manila", "Filipino")),
    ("Belarus", "Belarusian", ("Minsk",)),
)
