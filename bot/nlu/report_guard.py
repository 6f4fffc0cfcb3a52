"""Tells a question *about* a symptom from a report *of* one.

"What does an infection look like?", "will my face swell after it?" and "I had a cold
sore last year, can I still have it?" name red-flag symptoms but report none: answering
them with the emergency text teaches patients to ignore it. "Is it normal that my lips
are swollen?" is phrased as a question but reports a symptom happening now, and must
escalate.

The guard is deliberately one-sided: it says "general" only when the message has the
shape of a general, hypothetical or historical question *and* nothing in it reports a
present symptom (a first-person or "my daughter's ..." state, a time like "now",
"since", "day 4", "for hours"). Anything else counts as a possible report, because
when unsure between a report and a question we escalate.

No Rasa import: the detector, the evaluation script and the tests share it.
"""
from __future__ import annotations

import re
from typing import Pattern

from bot.text import normalize


def _any(*patterns: str) -> Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# A question, or a hypothetical: the shapes a general question takes.
_QUESTION_SHAPE = _any(
    r"\?",
    r"^\W*(will|would|do|does|did|can|could|is|are|was|were|should|might|may|what|when|how|which|why|who|any)\b",
    r"\b(what if|in case|if i (get|got|have|had|develop|notice|see|feel|start)|if (someone|somebody|people|a patient|my \w+ (got|gets|get))|if it happens)\b",
    r"\b(wondering|want to know|wanna know|like to know|just (asking|checking|curious)|asking (before|for)|curious)\b",
    r"^\W*(risks?|side effects?|warning signs?|complications?)\W*$",
    r"\b(tell me|let me know)\b[^.?!]{0,30}\b(which|what|when|signs?|dangerous|problems?)\b",
)

# What only a general question says: signs, risks, how common, what to do "if".
_GENERAL_CUES = _any(
    r"\bwhat (does|do|would|will|should|might) [^.?!]{0,40}\blook like\b",
    r"\b(be|an?|is that|count as) (an )?(emergency|serious|dangerous|urgent)\b|\bwhen to (worry|call|go)\b",
    r"\b(should|do|would|shall) (i|we) (go to|call|head to|phone)\b|\b(call|worry|worried) about\b",
    r"^\W*(can|could|will|would|does|do)\s+(you|one|people|someone|u|anyone)\s+(get|have|develop|experience|catch)\b",
    r"\bsigns?\b|\bsymptoms? (of|to)\b|\bwarning\b|\brisks?\b|\bside effects?\b|\bcomplications?\b",
    r"\b(ever|usually|normally|typically|commonly|common|often|rare|rarely|possible|likely|chance|happen|happens|happened to anyone)\b",
    r"\b(people|someone|somebody|patients|anyone|a person|clients)\b",
    r"\bwhen (should|do|would) (i|we|you|u)\b|\bwhat (should|do|would) (i|we) (do|call|watch|look)\b|\bcall you about\b",
    r"\b(how long|how red|too red|how much|how painful|how rare|how bad|scale of)\b",
    r"\bafter (it|the treatment|treatment|microneedling|cit|skinpen|the session)\s*\?",
    r"\b(can|could|will|would|does|do|might|may)\s+(microneedling|micro needling|cit|it|the (treatment|serum|cream|numbing cream|needling|procedure|pen|red light)|this|that|skin ?pen|numbing)\s+(cause|give|make|trigger|lead|bring|result)",
    r"\b(microneedling|cit|it|the (treatment|serum|cream|procedure))\s+(can|could|might|may|will|would)\s+(cause|give|make|trigger|lead)\b",
    r"^\W*(can|could|will|would|does|do|is|are|should|might|may)\s+(a |an |the |some )?(pus|infection|fever|blisters?|swelling|hives|bleeding|redness|rash|cold sores?|scarring|pain|dizziness|fainting)\b",
    r"\b(will|would|can|could|might|may|do|does)\s+(my|your|the)\s+(face|skin|lips?|eyes?)\s+(swell|get|be|go|turn|blister|bleed|peel|itch)\b",
    r"\b(before|ahead of) (i book|booking|my (appointment|consult\w*|treatment|session))|\bat (the |my )?consult\w*|\bcan i (still )?(get|have|do|book)\b|\bis (it|the treatment|microneedling|cit) (safe|ok|okay) (for|to|if|with)\b|\b(safe|ok|okay) for me\b",
)

# Past conditions and standing facts, asked about before a treatment.
_HISTORY_CUES = _any(
    r"\b(last|this past) (year|month|week|summer|winter|spring|fall|autumn|time i)\b",
    r"\b(years?|yrs?|months?) (ago|back)\b|\bi take\b|\bin the past\b|\bused to\b|\bhistory of\b|\bas a (kid|child|teen|teenager)\b|\bsince i was\b",
    r"\b(19|20)\d\d\b|\bonce (before|when)\b|\bprone to\b|\bon and off\b|\ba while back\b|\bwhen i was\b|\bin college\b",
    r"\b(i'?m|im|i am|she'?s|he'?s)\s+(allergic to|on blood thinners|pregnant|nursing|breastfeeding)\b|\bi have (asthma|rosacea|an allergy)\b",
    r"\bonce\s*([,.!?]|$)|\b(at the )?dentist\b|\b(once|twice|\w+ times) a (year|month)\b|\bevery (year|winter|summer)\b|\bi (usually|often|sometimes) get\b",
    # hearsay: what happened to someone else, or what the writer read
    r"\b(friend|sister|brother|cousin|coworker|colleague|someone|people|a girl|a guy|reviews?)\b[^.?!]{0,20}\b(said|says|told|wants to know|asked|asking|read)\b",
    r"\bi (read|heard|saw) (online|somewhere|that|on)\b|\bwants to know\b|\bis asking\b",
)

# A past state said to be over ("all cleared up now") is not a present report.
_RESOLVED = re.compile(
    r"\b(all |it'?s |its |now )?(cleared( up)?|gone|better|healed|resolved|fine|ok|okay|over)\s+(now|rn|today)\b"
    r"|\b(none|nothing|no \w+)\s+(rn|now|right now|today|at the moment)\b"
    r"|\bnot (having|got|getting|seeing) (one|any|it|them)\b[^.?!]{0,10}\b(now|rn|right now|today)\b"
    r"|\b(want|wants|wanted|like|hoping|planning|plan|ready) to (try|book|do|get|have|start)\b[^.?!]{0,25}\bnow\b"
    r"|\b(safe|fine|ok|okay|possible|allowed)\b[^.?!]{0,40}\bnow\b"
)

# A symptom said to be over or easing: "not bleeding anymore", "pain is 0/10", "still a
# bit red but fading", "temp 98.4". Only the model's alarm yields to these (a rule that
# sees a symptom reported still escalates).
_EASING = re.compile(
    r"\b(anymore|any more|at all|fading|faded|going down|gone down|getting better|improving|calmed down|settled)\b"
    r"|\b(less|better) than (yesterday|before|this morning|last night)\b|\bbut less\b|\b(basically|almost|all) gone\b"
    r"|\b0\s*(/|out of)\s*10\b|\bpain (is |at )?(a )?0\b|\b9[5-8]([.,]\d)?\s*(°|f\b|degrees)?|\b3[56]([.,]\d)\s*(°|c\b)?"
)

# Anything that reports a symptom present now. These veto "general".
_REPORT_CUES = _any(
    # a state now, in the first person or for someone the writer speaks for
    r"\b(i|we)\s*('ve|have|has|'ve got|got|feel|feels|felt|woke|started|noticed|keep|can'?t|cant|cnt|think|nearly|almost|just|suddenly)\b|\bive\b",
    r"\b(i'?m|im|i am|we'?re|we are|she'?s|he'?s|they'?re|she is|he is|they are)\s+(so |really |very |still |now |kind of |kinda |a bit |a little |getting |feeling |being )?"
    r"(feeling|having|getting|bleeding|itching|swelling|burning|shaking|shivering|sweating|seeing|breathing|struggling|"
    r"freaking|panicking|throwing|vomiting|oozing|dizzy|itchy|swollen|red|hot|sore|shaky|covered|scared|unwell|sick|in pain|not ok)\b",
    r"\b(my|our|her|his|their)\b[^.?!]{0,30}\b(is|are|was|were|has|have|feels?|looks?|keeps?|started|became|becoming|got|getting|gone|went|been|hurts?|won'?t|wont|itch\w*|burns?|sting\w*|become|becomes|turned|gotten)\b",
    r"\b(she|he|they)\s+(has|have|feels|felt|fainted|woke|can'?t|cant)\b",
    # a time that places the symptom in this recovery
    r"\b(now|right now|rn|today|tonight|2nite|2day|this (morning|afternoon|evening)|since|yesterday|for hours|hours? (after|later|ago|since)|(minutes|mins) (ago|later)|anymore)\b",
    r"\bday\s*\d+\b|\b\d+\s*days? (after|later|out|post|since|ago)\b|\b(day|days) (after|since) (my|the|her|his)\b",
    r"\bstill\s+(red|swollen|bleed\w*|hurt\w*|hot|ooz\w*|there|have|got|puffy|itch\w*|painful|sore|burn\w*|warm|bright|feel\w*|numb|dizzy)\b",
    r"\b(keeps?|won'?t stop|wont stop|getting worse|is getting|are getting)\b",
)


def is_general_question(text: str) -> bool:
    """True when `text` asks about symptoms in general (or about the past) and reports none.

    History ("I had hives years ago, is the serum ok?") counts as general even with a
    first-person verb, unless something also places a symptom in the present.
    """
    clean = normalize(text)
    if not clean:
        return False
    history = bool(_HISTORY_CUES.search(clean))
    asks = bool(_QUESTION_SHAPE.search(clean)) or bool(_GENERAL_CUES.search(clean))
    if not (asks or history):
        return False
    if history:
        return not _present_report(clean, history=True)
    return bool(_GENERAL_CUES.search(clean)) and not _present_report(clean, history=False)


def _present_report(clean: str, history: bool) -> bool:
    """Whether anything places a symptom in the present.

    For a history question the first-person verbs ("I had", "I'm allergic to") are part
    of the history, so only a time cue (now, since, day 4...) counts as a report.
    """
    if not history:
        return bool(_REPORT_CUES.search(_HYPOTHETICAL.sub(" ", clean)))
    return bool(_TIME_NOW.search(_RESOLVED.sub(" ", clean)))


# "If my eyes got irritated, would that be an emergency?": a state inside an "if" clause
# is imagined, not reported; the clause is set aside before looking for report cues.
_HYPOTHETICAL = re.compile(r"\b(if|in case|what if|even if|suppose|supposing)\b[^,.?!;]{0,60}")


_TIME_NOW = _any(
    r"\b(now|right now|rn|today|tonight|2nite|2day|this (morning|afternoon|evening)|since (the|my|her|his|this|yesterday|last night|then)|yesterday|for hours|anymore)\b",
    r"\bday\s*\d+\b|\b\d+\s*days? (after|later|out|post|since|ago)\b",
    r"\b(after|since) (the |my |her |his )?(treatment|session|appointment|tx|microneedling|skinpen|procedure)\b",
    r"\b(had|got) (it|the treatment|my treatment|microneedling|skinpen|tx|the session|cit) (done )?(last|this|on|yesterday|today)\b",
    r"\b(keeps?|keep on) (getting|bleeding|coming|going)\b|\b(hasn'?t|hasnt|won'?t|wont) (stopped|stop)\b",
)


def is_easing(text: str) -> bool:
    """Whether the message says a symptom is over or easing (see `_EASING`)."""
    return bool(_EASING.search(normalize(text)))


def is_plain_question(text: str) -> bool:
    """A question (or a message asking about something) with nothing in it placing a
    symptom in the present: for messages where only the model heard a red flag."""
    clean = normalize(text)
    if not clean:
        return False
    asks = bool(_QUESTION_SHAPE.search(clean)) or bool(_GENERAL_CUES.search(clean)) or bool(_HISTORY_CUES.search(clean))
    return asks and not _REPORT_CUES.search(_HYPOTHETICAL.sub(" ", _RESOLVED.sub(" ", clean)))
