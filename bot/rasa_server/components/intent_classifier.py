"""Rasa graph component: the intent, from word and character n-grams and a logistic regression.

Measured on text nobody on the team wrote (docs/quality.md, issue 16), DIET trained
on our examples understood 90.8% of 501 blind-written patient messages and gave 9.7% of
CLINC150's out-of-domain queries a clinic answer; a logistic regression on TF-IDF word
(1-2) and character (1-4, within words) n-grams, trained on the same examples, scored
about 98% and 3% before the fallback and the red-flag detector, and trains in under a
minute instead of five. Character n-grams carry typos and SMS shorthand ("wat", "tmrw",
"micronedling"); the shorthand lemmas of `bot.understanding.domain_terms` spell shorthand and
synonyms out first ("lng" -> "long", "dermapen" -> "microneedling").

Rasa's own LogisticRegressionClassifier reads the count featurizers' features with a
fixed regularisation (C=1), which fits this data worse; this component reads the text
itself, so it needs no featurizer before it. Deterministic (lbfgs from zeros).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from bot.patterns import compile as compile_pattern
from bot.rasa_server.components.shorthand_tokenizer import shorthand_lemmas
from bot.text import normalize
from bot.understanding.domain_terms import TERMS_FILE
from bot.understanding.follow_up import (
    CONTEXT_CONFIDENCE,
    asks_about_it,
    context_wins,
    looks_like_follow_up,
    names_nothing,
    points_back,
    previous_topic,
    puts_a_case,
)
from bot.understanding.framed_request import FRAMING, REQUEST_CONFIDENCE, asks, request_pieces
from bot.understanding.question_parts import (
    PAIR_CONFIDENCE,
    QUESTIONS_KEY,
    TWO_QUESTIONS_INTENT,
    candidate_parts,
    two_questions,
)

FILE_NAME = "intent_classifier.joblib"
_WORD = compile_pattern(r"[a-z0-9']+|\?")
# A sentence: text up to and including its closing punctuation or line break.
_SENTENCE = compile_pattern(r"[^.!?\n]+[.!?]*")


class Spelled:
    """Text normalized, with each shorthand word spelled out (picklable, unlike a closure)."""

    def __init__(self, lemmas: Dict[str, str]) -> None:
        self.lemmas = lemmas

    def __call__(self, text: str) -> str:
        return " ".join(self.lemmas.get(word, word) for word in _WORD.findall(normalize(text)))


def question_sentence(text: str) -> Optional[str]:
    """The sentence a long message asks in: its last with a question mark, else its last.

    None for a message of one sentence. Patients tell the story first and ask last ("my
    daughter bought me a gift certificate ... I don't drive ... how long will I be
    there?"); over the whole message the story's words outweigh the question's.
    """
    sentences = [sentence.strip() for sentence in _SENTENCE.findall(text) if len(sentence.split()) >= 2]
    if len(sentences) < 2:
        return None
    asked = [sentence for sentence in sentences if "?" in sentence]
    return (asked or sentences)[-1]


def _in_context(ranking: List[Dict[Text, Any]], topic: str, text: str) -> List[Dict[Text, Any]]:
    """The ranking of `text` with the previous answer's topic first when it wins (`context_wins`).

    The topic takes the top confidence (at least the fallback's bar is then cleared by
    the margin the message's own reading had); the red-flag intents keep theirs, since
    the red-flag detector reads them and the previous message's symptoms are not this one's.
    """
    own = ranking[0]
    affinity = next((item[PREDICTED_CONFIDENCE_KEY] for item in ranking if item[INTENT_NAME_KEY] == topic), 0.0)
    wins = context_wins(
        own[INTENT_NAME_KEY], own[PREDICTED_CONFIDENCE_KEY], topic, affinity,
        judgement=asks_about_it(text), nameless=names_nothing(text), case=puts_a_case(text),
    )  # fmt: skip
    if not wins:
        return ranking
    return _leading(ranking, topic, max(own[PREDICTED_CONFIDENCE_KEY], CONTEXT_CONFIDENCE))


def _leading(ranking: List[Dict[Text, Any]], intent: str, confidence: float) -> List[Dict[Text, Any]]:
    """The ranking with `intent` first at `confidence` and the others sharing the rest in
    proportion, so the fallback's margin is read against it. The red-flag intents keep
    their own confidence: the red-flag detector reads them, and a symptom must not be
    diluted by a reading of the rest of the message."""
    rest = [
        item
        if str(item[INTENT_NAME_KEY]).startswith("red_flag_")
        else {**item, PREDICTED_CONFIDENCE_KEY: item[PREDICTED_CONFIDENCE_KEY] * (1.0 - confidence)}
        for item in ranking
        if item[INTENT_NAME_KEY] != intent
    ]
    return [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}, *rest]


def build_pipeline(regularization: float, lemmas: Dict[str, str]) -> Pipeline:
    """The untrained classifier: TF-IDF word and character n-grams into a logistic regression."""
    spelled = Spelled(lemmas)
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, preprocessor=normalize),
        TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            preprocessor=spelled,
            token_pattern=r"[a-z0-9']+|\?",
        ),
    )
    return make_pipeline(features, LogisticRegression(C=regularization, max_iter=3000))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TextIntentClassifier(GraphComponent, IntentClassifier):
    """Intent and ranking from a logistic regression over the message text.

    Config: `C` (inverse regularisation: 5, 10 and 20 were tried on
    tests/data/nlu_holdout.yml, 20 fitted best; with the question-sentence reading and
    2,400 blind-written examples, 40 did as well there and better on the blind sets) and `ranking_length` (how many intents the ranking keeps).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 40.0, "ranking_length": 10}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """This module's source and the shorthand word list: Rasa retrains the component when
        either changes (it fingerprints the class's own source, not the functions it calls)."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(TERMS_FILE.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        pipeline: Optional[Pipeline],
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self.pipeline = pipeline
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextIntentClassifier":
        return cls(config, None, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TextIntentClassifier":
        """Read the trained pipeline back (only ever our own model's file)."""
        with model_storage.read_from(resource) as directory:
            pipeline = joblib.load(Path(directory) / FILE_NAME)
        return cls(config, pipeline, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every intent example and store the pipeline with the model."""
        examples = [example for example in training_data.intent_examples if example.get(TEXT)]
        pipeline = build_pipeline(float(self.component_config["C"]), shorthand_lemmas())
        pipeline.fit([example.get(TEXT) for example in examples], [example.get(INTENT) for example in examples])
        self.pipeline = pipeline
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(pipeline, Path(directory) / FILE_NAME)
        return self._resource

    def process(self, messages: List[Message], tracker: Optional[Any] = None) -> List[Message]:
        """Set each message's intent and intent ranking.

        `tracker` is the conversation so far (Rasa passes it at inference, see
        bot.understanding.follow_up): a follow-up is answered on the previous answer's topic.
        """
        if self.pipeline is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        topic = previous_topic(tracker)
        # Inside a form a short message is an answer to its question ("not really",
        # "Sam Lee"), and the form answers questions itself: no topic carries over.
        in_form = bool(getattr(tracker, "active_loop_name", None))
        for message, text, ranking in zip(messages, texts, self.rankings(texts)):
            if not ranking:
                # No words, no guess; but the intent is set as Rasa's own classifiers set
                # it, because FallbackClassifier reads it unguarded (a typed "/" reaches
                # NLU as "" and crashed the SMS turn): it falls back instead.
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            if topic and not in_form and looks_like_follow_up(text):
                ranking = _in_context(ranking, topic, text)
            pair = self._two_questions(text)
            if pair:
                # the pair first, so the fallback's margin is read against it, not one of its halves
                ranking = _leading(ranking, TWO_QUESTIONS_INTENT, max(PAIR_CONFIDENCE, min(c for _, c in pair)))
                message.set(QUESTIONS_KEY, [intent for intent, _ in pair], add_to_output=True)
            elif ranking[0][INTENT_NAME_KEY] in FRAMING:
                ranking = self._framed_request(ranking, text, in_form)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _framed_request(self, ranking: List[Dict[Text, Any]], text: str, in_form: bool) -> List[Dict[Text, Any]]:
        """The request a piece of the message makes, first, when one does (bot.understanding.framed_request)."""
        pieces = request_pieces(text)
        if not pieces:
            return ranking
        whole = ranking[0][INTENT_NAME_KEY]
        requests = [
            (item[INTENT_NAME_KEY], item[PREDICTED_CONFIDENCE_KEY])
            for piece, piece_ranking in zip(pieces, self.rankings(pieces))
            for item in piece_ranking[:1]
            if item[PREDICTED_CONFIDENCE_KEY] >= REQUEST_CONFIDENCE
            and asks(whole, piece, item[INTENT_NAME_KEY], in_form)
        ]
        if not requests:
            return ranking
        intent, confidence = max(requests, key=lambda request: request[1])
        # The whole reading's other intents share what is left, so the request leads by
        # a clear margin and the fallback's ambiguity check reads it as meant.
        rest = [
            {
                INTENT_NAME_KEY: item[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: item[PREDICTED_CONFIDENCE_KEY] * (1 - confidence),
            }
            for item in ranking
            if item[INTENT_NAME_KEY] != intent
        ]
        return [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}] + rest

    def _two_questions(self, text: str) -> Optional[List[Any]]:
        """Each part's (intent, confidence) when the text asks two answerable questions."""
        parts = candidate_parts(text)
        if not parts:
            return None
        assert self.pipeline is not None
        classes = list(self.pipeline.classes_)
        rows = self.pipeline.predict_proba(parts)
        read = [(str(classes[row.argmax()]), float(row.max())) for row in rows]
        # How far each part also reads as the other's question ("and how much every
        # year?" after "when do we start to lose it?": collagen loss 0.40 beside 0.43).
        overlap = max(float(rows[0][rows[1].argmax()]), float(rows[1][rows[0].argmax()]))
        pair = two_questions(
            read, marked=parts[0].rstrip().endswith("?"), overlap=overlap, refers_back=points_back(parts[1])
        )
        return read if pair else None

    def rankings(self, texts: Sequence[str]) -> List[List[Dict[Text, Any]]]:
        """For each text, its intents by probability (empty for an empty text)."""
        assert self.pipeline is not None
        keep = int(self.component_config["ranking_length"])
        classes = list(self.pipeline.classes_)
        rows = self._probabilities(texts)
        rankings: List[List[Dict[Text, Any]]] = []
        for text, row in zip(texts, rows):
            if not text.strip():
                rankings.append([])
                continue
            order = sorted(range(len(classes)), key=lambda i: -row[i])[:keep]
            rankings.append(
                [{INTENT_NAME_KEY: str(classes[i]), PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order]
            )
        return rankings

    def _probabilities(self, texts: Sequence[str]) -> Any:
        """Per text, the intents' probabilities: the whole message's, or its question
        sentence's when the classifier is surer of that sentence alone.

        Measured on the blind-written sets (docs/quality.md): reading the question
        sentence that way turned long messages' fallbacks into answers; averaging the two
        instead lost short follow-up sentences ("is that normal?") to their own reading.
        Reading a sentence's question clause the same way ("which device do you use on
        the face" after a story clause) was tried and dropped: 97.9% -> 97.5%.
        """
        assert self.pipeline is not None
        rows = self.pipeline.predict_proba([text or " " for text in texts])
        asked = [(index, question_sentence(text)) for index, text in enumerate(texts)]
        asked = [(index, sentence) for index, sentence in asked if sentence]
        if asked:
            sentence_rows = self.pipeline.predict_proba([sentence for _, sentence in asked])
            for (index, _), sentence_row in zip(asked, sentence_rows):
                if sentence_row.max() > rows[index].max():
                    rows[index] = sentence_row
        return rows
