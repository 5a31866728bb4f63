"""Question -> extractive, cited answer (or an abstention).

``compose`` chooses and cites the sentences; ``followup`` resolves a question
against the conversation; ``answer_type`` checks that a who / when / how-many
question gets that kind of answer; ``accounts`` reads whose account a sentence
reports (``countries`` lists how news names a state); ``dates`` resolves relative
dates against the article's date; ``timeline`` lists the dated sentences;
``summary`` shapes a broad question's summary across articles and ``salience``
an article's own; ``corroboration`` finds the articles stating an answer's facts;
``examples`` chooses the example questions the served index answers.
"""
