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

from bot import patterns
from bot.text import normalize


def _any(*alternatives: str) -> patterns.Pattern:
    return patterns.compile("|".join(f"(?:{p})" for p in alternatives), patterns.IGNORECASE)


# A question, or a hypothetical: the shapes a general question takes.
_QUESTION_SHAPE = _any(
    r"\?",
    r"^\W*(will|would|do|does|did|can|could|is|are|was|were|should|might|may|what|whats|what's|when|how|which|why|who|any)\b",
    r"\b(what if|in case|if i (get|got|have|had|develop|notice|see|feel|start)|if (someone|somebody|people|a patient|my \w+ (got|gets|get))|if it happens)\b",
    r"\b(wondering|want to know|wanna know|like to know|just (asking|checking|curious)|asking (before|for)|curious)\b",
    r"^\W*(risks?|side effects?|warning signs?|complications?)\W*$",
    r"\b(tell me|let me know)\b[^.?!]{0,30}\b(which|what|when|signs?|dangerous|problems?)\b",
)

# What only a general question says: signs, risks, how common, what to do "if".
_GENERAL_CUES = _any(
    r"\bwhat (does|do|would|will|should|might) [^.?!]{0,40}\blook like\b",
    r"\b(be|an?|is that|count as) (an )?(emergency|serious|dangerous|urgent)\b|\bwhen to (worry|call|go)\b",
    r"\b(should|do|would|shall) (i|we) (need to )?(go to|call|head to|phone|come in|go in|see someone)\b|\b(call|worry|worried) about\b",
    r"\bhow (do|can|would|will|should) (i|you|we|u|one) (tell|know)\b|\bwhat does it mean if\b|\bwhat if\b|\bhypothetical\w*|\bcounts? as\b|\bconsidered (a|an)\b",
    r"\b(i want|i'?d like|wanted) to know\b|\bin advance\b|\bahead of time\b|\bjust in case\b",
    # hearsay: what happened to someone else, or what the writer read
    r"\b(friend|sister|brother|cousin|coworker|colleague|someone|people|a girl|a guy|reviews?)\b[^.?!]{0,20}\b(said|says|told|wants to know|asked|asking|read|wondering)\b",
    r"\bi (read|heard|saw) (online|somewhere|that|on)\b|\bwants to know\b|\bis asking\b",
    r"^\W*(can|could|will|would|does|do)\s+(you|one|people|someone|u|anyone)\s+(get|have|develop|experience|catch|be)\b",
    r"\bsigns?\b|\bsymptoms? (of|to)\b|\bwarning\b|\brisks?\b|\bside effects?\b|\bcomplications?\b",
    r"\b(ever|usually|normally|typically|commonly|common|often|rare|rarely|possible|likely|chance|happen|happens|happened to anyone)\b",
    r"\b(people|someone|somebody|patients|anyone|a person|clients)\b",
    r"\bwhen (should|do|would) (i|we|you|u)\b|\bwhat (should|do|would) (i|we) (call|watch|look)\b|\bcall you about\b",
    r"\b(how long|how red|too red|how much|how painful|how rare|how bad|scale of)\b",
    r"\b(can|could|will|would|does|do|might|may)\s+(microneedling|micro needling|cit|it|the (treatment|serum|cream|numbing cream|needling|needles|procedure|pen|red light|prp)|prp|this|that|skin ?pen|numbing)\s+(cause|give|make|trigger|lead|bring|result|affect|damage|harm|hurt)",
    r"\b(microneedling|cit|it|the (treatment|serum|cream|procedure))\s+(can|could|might|may|will|would)\s+(cause|give|make|trigger|lead)\b",
    r"^\W*(can|could|will|would|does|do|is|are|should|might|may)\s+(a |an |the |some )?(pus|infection|fever|blisters?|swelling|hives|bleeding|redness|rash|cold sores?|scarring|pain|dizziness|fainting)\b",
    r"\b(will|would|can|could|might|may|do|does)\s+(my|your|the)\s+(face|skin|lips?|eyes?)\s+(swell|get|be|go|turn|blister|bleed|peel|itch)\b",
    r"\b(before|ahead of) (i book|booking|my (appointment|consult\w*|treatment|session))|\bat (the |my )?consult\w*|\bcan i (still )?(get|have|do|book)\b|\b(safe|ok|okay) (for me|for someone|for people|if (i|you|someone) (have|has|am|'m|are|had))\b",
    r"\bif (i|you|it|they|she|he|someone|somebody|my \w+|my \w+ \w+) \w+",
    r"\bi (only |just )?ask(ing)? (because|since|as)\b",
)

# Past conditions and standing facts, asked about before a treatment.
_HISTORY_CUES = _any(
    r"\b(last|this past) (year|month|week|summer|winter|spring|fall|autumn|time i)\b",
    r"\b(years?|yrs?|months?) (ago|back)\b|\bi take (blood thinners|meds|medication|aspirin|warfarin|\w+ (daily|every day))\b|\bin the past\b|\bused to\b|\bhistory of\b|\bas a (kid|child|teen|teenager)\b|\bsince i was\b",
    r"\b(19|20)\d\d\b|\bonce (before|when)\b|\bprone to\b|\bon and off\b|\ba while back\b|\bwhen i was\b|\bin (high school|college|school|my teens)\b|\bin the (spring|summer|fall|winter|autumn)\b",
    r"\bpreviously\b|\bbefore i had\b|\bi had (a |an )?\w+ (once|before)\b",
    r"\b(i'?m|im|i am|she'?s|he'?s)\s+(allergic to|on blood thinners|pregnant|nursing|breastfeeding)\b|\bi have (asthma|rosacea|an allergy)\b",
    r"\bonce\s*([,.!?]|$)|\b(at the )?dentist\b|\b(once|twice|\w+ times) a (year|month)\b|\bevery (year|winter|summer)\b|\bi (usually|often|sometimes) get\b|\bi get \w+( \w+)? (when|if|whenever|every|a lot|often)\b|\bgets? \w+( \w+)? (a lot|often|sometimes|every)\b",
)

# A past state said to be over ("all cleared up now") is not a present report.
_RESOLVED = patterns.compile(
    r"\b(all |it'?s |its |now )?(cleared( up| it)?|gone|better|healed|resolved|fine|ok|okay|over)\s+(now|rn|today)\b|\bcleared (it|up)\b"
    r"|\b(none|nothing|no \w+)\s+(rn|now|right now|today|at the moment)\b"
    r"|\bnot (having|got|getting|seeing) (one|any|it|them)\b[^.?!]{0,10}\b(now|rn|right now|today)\b"
    r"|\b(want|wants|wanted|like|hoping|planning|plan|ready) to (try|book|do|get|have|start)\b[^.?!]{0,25}\bnow\b"
    r"|\b(safe|fine|ok|okay|possible|allowed)\b[^.?!]{0,40}\bnow\b|\bnow (i|she|he|we) (want|wants|would like|'?d like|plan)"
    # what others said or the writer read is not what the writer reports
    r"|\bi('ve| have)? (heard|read|been told|seen online)\b[^.?!,]{0,60}"
    r"|\b(i have|i'?ve got|ive got|got) (a|one|some|a few|another) (quick |small )?(questions?|concerns?|query)\b"
)

# A symptom said to be over or easing: "not bleeding anymore", "pain is 0/10", "still a
# bit red but fading", "temp 98.4". Only the model's alarm yields to these (a rule that
# sees a symptom reported still escalates).
_EASING = patterns.compile(
    r"\b(anymore|any more|at all|fading|faded|going down|gone down|getting better|improving|calmed down|settled)\b"
    r"|\b(less|better) than (yesterday|before|this morning|last night)\b|\bbut less\b|\b(basically|almost|all) gone\b"
    r"|\b(vision|eyes?|breathing|lips|face|skin|temp\w*)\s+(is |are |totally |all |seems? |looks? )?(fine|ok|okay|normal|good|clear)\b"
    r"|\b(feeling|feel|feels|all|looks?|totally|completely|i'?m|im|otherwise) (good|great|fine|normal|ok|okay)\b|\b(is|are) (totally |completely )?(fine|ok|okay|good)\b|\b(lighter|paler|calmer) than\b"
    r"|\b0\s*(/|out of)\s*10\b|\bpain (is |at )?(a )?0\b|\b9[5-8]([.,]\d)?\s*(°|f\b|degrees)?|\b3[56]([.,]\d)\s*(°|c\b)?"
)

# Anything that reports a symptom present now. These veto "general".
_PEOPLE = r"(wife|husband|partner|daughter|son|mom|mum|mother|dad|father|sister|brother|girlfriend|boyfriend|bf|gf|friend|kid|child|grandma|aunt|baby)"
_BODY = (
    r"(face|skin|lips?|tongue|throat|mouth|eyes?|eyelids?|lids?|vision|cheeks?|chin|jaw|forehead|nose|neck|chest|arms?|"
    r"legs?|body|hands?|head|heart|breathing|temp|temperature|fever|pain|redness|swelling|rash|bleeding|spots?|bumps?)"
)
_REPORT_CUES = _any(
    # a state now, in the first person or for someone the writer speaks for
    r"\b(i|we)\s*(got|feel|feels|felt|woke|started|noticed|keep|can'?t|cant|cnt|think|nearly|almost|just|suddenly)\b",
    r"\b(i|we)\s*('ve|have|ve)\s+(got|gotten|had|noticed|developed|been (bleeding|itching|feeling|having|getting|running|throwing|vomiting|seeing|shaking|sweating|coughing)|"
    r"a |an |some |this |these |hives|pus|blisters?|fever|swelling|pain|bumps|welts|spots)|\bive (got|had|been)\b",
    r"\b(they|these|those)\s+(sting|hurt|itch|burn|are|look|keep|won'?t)\b",
    r"\b(i'?m|im|i am|we'?re|we are|she'?s|he'?s|they'?re|she is|he is|they are)\s+(so |really |very |still |now |kind of |kinda |a bit |a little |getting |feeling |being )?"
    r"(feeling|having|getting|bleeding|itching|swelling|burning|shaking|shivering|sweating|seeing|breathing|struggling|gasping|wheezing|"
    r"freaking|panicking|throwing|vomiting|oozing|dizzy|itchy|swollen|red|hot|sore|shaky|covered|scared|unwell|sick|in pain|not ok)\b",
    # (and "my face is ...", "her lips are ...": `_POSSESSIVE_STATE` below)
    r"\b(she|he|they)\s+(has|have|feels|felt|fainted|woke|can'?t|cant|nearly|almost|just|passed)\b",
    # "mine is 101", "happening to me", "it's unbearable"
    r"\bmine\b|\bhappening to (me|her|him|us)\b|\b(this|it) is happening\b",
    # "there are raised welts where they did it": something there, now
    r"\bthere('?s| is| are)\s+([\w-]+\s+){0,3}(welts|hives|streaks|bubbles|bumps|blisters|pus|blood|crusts?|spots|rash|swelling|liquid|fluid)\b",
    r"\b(this|it)\s*('s| is)\s+(way |so |really |very |super )?(more|worse|unbearable|awful|terrible|huge|spreading|getting|bleeding|swollen|swelling|oozing)\b",
    # a reading: a temperature or a pain score is someone's, now
    r"\b(99[.,][5-9]|10[0-6]([.,]\d)?|3[89][.,]\d|39|40|41)\s*(°|degrees?|f\b|c\b)?",
    r"\b([4-9]|10)\s*(/|out of)\s*10\b|\b(is|it'?s|its) (a|like a|like) ([6-9]|10)\b",
    # a time that places the symptom in this recovery
    r"\b(now|right now|rn|today|tonight|2nite|2day|this (morning|afternoon|evening)|yesterday|for hours|hours? (after|later|ago|since)|(minutes|mins) (ago|later)|anymore)\b",
    r"\bsince\s+(yesterday|last|this|then|the (treatment|session|appointment|procedure)|my (treatment|session|appointment)|\d|mon|tue|wed|thu|fri|sat|sun|morning|lunch|tx|i (got|had|left|came|woke))",
    r"\bday\s*\d+\b|\b\d+\s*days? (after|later|out|post|since|ago)\b|\b(day|days) (after|since) (my|the|her|his)\b",
    r"\bstill\s+(red|swollen|bleed\w*|hurt\w*|hot|ooz\w*|there|have|got|puffy|itch\w*|painful|sore|burn\w*|warm|bright|feel\w*|numb|dizzy|going|coming)\b",
    r"\bkeeps? (on )?(getting|bleeding|coming|going|oozing|spreading|hurting|itching|swelling|burning|throbbing)\b|\b(won'?t stop|wont stop|getting worse|is getting|are getting)\b",
)


# A body part's or a person's state: "my face is swollen", "her lips are huge", but not
# "my daughter is nervous" or "my face is booked in": a verb followed by one of
# `_PLANS_AND_FEELINGS` says nothing of a symptom. RE2 has no lookahead, so those verbs are
# masked before the search (`_possessive_state`).
_STATE_VERB = (
    r"(is|are|was|were|has|have|feels?|looks?|keeps?|started|became|becoming|got|getting|gone|went|been|hurts?|"
    r"won'?t|wont|itch\w*|burns?|sting\w*|become|becomes|turned|gotten|nearly|almost|just|passed|puffs?|popped|"
    r"appeared|grew|grown|doubled)"
)
_PLANS_AND_FEELINGS = (
    r"(nervous|worried|thinking|planning|wondering|curious|excited|interested|booked|scheduled|going|asking|"
    r"considering|afraid|scared|both)"
)
_POSSESSIVE_STATE = patterns.compile(
    rf"\b(my|our|her|his|their)\s+(\w+\s+){{0,2}}({_BODY}|{_PEOPLE})('s)?\b[^.?!]{{0,30}}\b{_STATE_VERB}\b",
    patterns.IGNORECASE,
)
_VERB_OF_A_PLAN = patterns.compile(rf"\b(?P<verb>{_STATE_VERB})\s+{_PLANS_AND_FEELINGS}\b", patterns.IGNORECASE)


def _masked_verb(found: patterns.Match) -> str:
    """The verb's word characters as "x", the rest of the match as it was."""
    verb = found.group("verb")
    return "".join("x" if char.isalnum() or char == "_" else char for char in verb) + found.group()[len(verb) :]


def _possessive_state(text: str) -> bool:
    """Whether `_POSSESSIVE_STATE` matches with a verb not followed by `_PLANS_AND_FEELINGS`.

    Such verbs are masked first: "x" is a word character like the letters it replaces, so
    every other part of the pattern reads the text as before, and no verb word is a body
    part, a person or a possessive; a masked verb just cannot end a match.
    """
    return bool(_POSSESSIVE_STATE.search(_VERB_OF_A_PLAN.sub(_masked_verb, text)))


# Before a treatment ("I'm breaking out, can I still come in?"): a condition asked about
# for eligibility, not a complication, unless something says the treatment was had.
_BEFORE_TREATMENT = _any(
    r"\bcan i still (come|get|have|do|book|go ahead|keep)\b|\bshould i (wait|postpone|reschedule|cancel|still come)\b",
    r"\bbefore (my|the) (appointment|treatment|session|consult\w*)\b|\bmy (appointment|consult\w*) is\b|\b(i'?m|im|i am) booked\b|\bupcoming\b",
)
_AFTER_TREATMENT = _any(
    r"\b(after|since) (my|the|her|his|this) (treatment|session|appointment|microneedling|skinpen|procedure|tx)\b",
    r"\b(had|got|did|finished) (it|(my|the|her|his|this) )?(treatment|microneedling|skinpen|cit|session|tx|procedure)( done)?\b",
    r"\bday\s*\d+\b|\bpost[- ]?(treatment|tx)\b",
    # the state before it, told as a contrast: "I was fine this morning before the appointment"
    r"\b(fine|ok|okay|normal|perfect)\b[^.?!]{0,30}\bbefore (my|the) (appointment|treatment|session)\b",
    r"\b(this morning|earlier|yesterday|last night) before (my|the) (appointment|treatment|session)\b",
)

# Something in the message that could be a symptom at all: the model's alarm needs it
# ("Chris Nguyen" or a phone number typed into a form is never a red flag).
_SOMATIC = patterns.compile(
    r"\b(feel\w*|felt|hurts?|sick|unwell|weird|wrong|bad|terrible|awful|worse|scared|help|emergency|woke|floor|"
    r"collapsed?|fell|dropped|went (white|black|dark|grey|gray)|can'?t|cant|won'?t|wont|stuck|huge|big|puff\w*|"
    r"bumps?|spots?|lumps?|marks?|blotch\w*|sore|ache|aching|sting\w*|tingl\w*|throb\w*|pound\w*|rac\w+|"
    r"shak\w*|sweat\w*|chill\w*|cold|warm|fluid|water|liquid|yellow|green|smell\w*|leak\w*|drip\w*|soak\w*)\b"
    # the body itself, and what it senses: symptoms told in metaphors name a body part
    # ("lips like a duck", "eyes like slits", "pulse 130", "seeing double", "I went down")
    r"|\b(face|skin|eyes?|eyeballs?|eyelids?|lids?|lips?|mouth|tongue|throat|jaw|cheeks?|chin|nose|forehead|neck|"
    r"chest|heart|pulse|head|vision|see|seeing|saw|sight|eyesight|light|breath\w*|winded|air|legs?|"
    r"pass(ed)? out|went down|black(ed)? out|react\w*|reaction|double|blur\w*|focus|bubbl\w*|bled|gauze|"
    # what a patient does about a symptom: painkillers that do not help, something that restarts
    r"ibuprofen|tylenol|paracetamol|advil|painkillers?|meds|started again|starts again|"
    # swallowing and the voice (the airway), how things look and how steady one is
    r"swall?ow\w*|voice|hoarse|spit|smear\w*|fuzzy|hazy|cloudy|foggy|dim|giddy|unsteady|wobbly|inflated|massive)\b"
)


_BODY_NAMED = patterns.compile(rf"\b{_BODY}\b")


def names_the_body(text: str) -> bool:
    """Whether `text` names a part of the body or a symptom by name ("vision", "lips",
    "rash"): narrower than `could_be_a_symptom`, whose "won't" and "light" are in
    "my dishwasher won't drain" and "my kitchen light keeps flickering"."""
    return bool(_BODY_NAMED.search(normalize(text)))


def could_be_a_symptom(text: str) -> bool:
    """Whether anything in `text` could describe a symptom (the caller adds its symptom words)."""
    return bool(_SOMATIC.search(normalize(text)))


# Getting worse: "instead of calming down it's gotten darker", "came back worse",
# "spreading", "not just my face anymore". A message that says so is no easing and no expected course, whatever
# else it says of the first days ("the pink was fading on schedule, now ...").
_WORSENING = patterns.compile(
    r"\b(worse|worsening|darker|spread\w*|creep\w*|more (and more|each|every)|(come|came|coming) back|bigger|growing|instead of)\b"
    # spreading told as what it is no longer confined to: "it's not just my face anymore"
    r"|\b(not|no longer) (just|only) (on |in |around |my |the |her |his )"
    # easing denied: "not improving", "no better", "hasn't gone down"
    r"|\b(not|isn'?t|is not|aren'?t|hasn'?t|haven'?t|no|never|without) (really |at all |even )?"
    r"(improving|improved|better|getting better|going down|gone down|fading|faded|settl\w*|calm\w*)\b"
)


def is_worsening(text: str) -> bool:
    """Whether the message says something is getting worse (see `_WORSENING`)."""
    return bool(_WORSENING.search(normalize(text)))


def is_before_treatment(text: str) -> bool:
    """A question asked before a treatment, with nothing saying the treatment was had."""
    clean = normalize(text)
    return bool(_BEFORE_TREATMENT.search(clean)) and not _AFTER_TREATMENT.search(clean)


def is_general_question(text: str) -> bool:
    """True when `text` asks about symptoms in general (or about the past) and reports none.

    History ("I had hives years ago, is the serum ok?") counts as general even with a
    first-person verb, unless something also places a symptom in the present.
    """
    clean = normalize(text)
    if not clean:
        return False
    if is_before_treatment(clean):
        return True
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
        aside = _set_aside(clean)
        return bool(_REPORT_CUES.search(aside)) or _possessive_state(aside)
    return bool(_TIME_NOW.search(_RESOLVED.sub(" ", clean)))


# "If my eyes got irritated, would that be an emergency?": a state inside an "if" clause
# is imagined, not reported; "my sister told me her face swelled" is someone else's.
# Both clauses are set aside before looking for report cues, but only up to a "but"
# ("my friend said it's normal but my lips...").
_HYPOTHETICAL = patterns.compile(r"\b(if|in case|what if|even if|suppose|supposing)\b[^,.?!;]{0,60}")
_HEARSAY = patterns.compile(
    r"\b(friend|sister|brother|cousin|coworker|colleague|someone|people|reviews?|a girl|a guy|mom|mum|aunt)\b"
    r"[^,.?!;]{0,20}\b(said|says|told me|told|read|heard|asked me|asked|wants to know|is wondering|had|got)\b[^,.?!;]{0,80}"
)
_TURN = patterns.compile(r"\b(but|however|though|although)\b")


def _set_aside(clean: str) -> str:
    """`clean` without imagined ("if ...") and reported ("my friend said ...") clauses."""
    parts = _TURN.split(clean)[::2]  # the text between the turns (the odd items are the turn words)
    return " but ".join(_HEARSAY.sub(" ", _HYPOTHETICAL.sub(" ", part or "")) for part in parts)


_TIME_NOW = _any(
    r"\b(now|right now|rn|today|tonight|2nite|2day|this (morning|afternoon|evening)|since (the|my|her|his|this|yesterday|last night|then)|yesterday|for hours|anymore)\b",
    r"\bday\s*\d+\b|\b\d+\s*days? (after|later|out|post|since|ago)\b",
    r"\b(after|since) (the |my |her |his )?(treatment|session|appointment|tx|microneedling|skinpen|procedure)\b",
    r"\b(had|got) (it|the treatment|my treatment|microneedling|skinpen|tx|the session|cit) (done )?(last|this|on|yesterday|today)\b",
    r"\b(keeps?|keep on) (getting|bleeding|coming|going)\b|\b(hasn'?t|hasnt|won'?t|wont) (stopped|stop)\b",
)


def is_easing(text: str) -> bool:
    """Whether the message says a symptom is over or easing (see `_EASING`), and nothing worsens."""
    return bool(_EASING.search(normalize(text))) and not is_worsening(text)


# The article's expected course: pink to red with pinpoint bleeding right after, redness
# for 24-48 hours, dryness or flaking on day 3. Said on its day, it is no report.
_EXPECTED_SIGN = patterns.compile(
    r"\b(pink\w*|red|redness|rosy|flush\w*|sunburn\w*|warm|tight|dry|dryness|flak\w*|peel\w*|tender|"
    r"pinpoint|dots? of blood|bit of blood|little blood|tomato|lobster|windburn\w*|beach|sun-?kissed)\b"
)
_EXPECTED_DAY = patterns.compile(
    r"\bday\s*(1|2|3|one|two|three)\b|\b(first|second|third) (day|night|morning)\b|\b(24|48)\s*(h|hrs?|hours)\b|"
    r"\b(yesterday|this morning|last night|this afternoon|this am)\b|\bright after\b|\bthe day after\b|"
    r"\bjust (finished|had it|got it|left|got home|had my)\b|\b(an|1|one|two|2) hours? ago\b|\bon (my|the) way home\b|\bin the car\b|"
    r"\b(the )?next (day|morning)\b|\b(a few|couple( of)?|few|\d+) (hours?|hrs?) (after|later|ago|in)\b"
)


def is_expected_course(text: str) -> bool:
    """Whether the message describes the article's expected recovery on its expected day.

    Only the expected signs may be named: "warm and pink the first night" is expected,
    "warm, pink and my lip tingles the first night" is not (the caller checks the other
    symptom words in `without_expected_signs(text)`).
    """
    clean = normalize(text)
    return bool(_EXPECTED_SIGN.search(clean) and _EXPECTED_DAY.search(clean)) and not is_worsening(clean)


def without_expected_signs(text: str) -> str:
    """`text` (normalized) with the expected-course words blanked, to look for any other symptom."""
    return _EXPECTED_SIGN.sub(" ", normalize(text))


def is_plain_question(text: str) -> bool:
    """A question (or a message asking about something) with nothing in it placing a
    symptom in the present: for messages where only the model heard a red flag."""
    clean = normalize(text)
    if not clean:
        return False
    asks = bool(_QUESTION_SHAPE.search(clean)) or bool(_GENERAL_CUES.search(clean)) or bool(_HISTORY_CUES.search(clean))
    history = bool(_HISTORY_CUES.search(clean))
    return asks and not _present_report(_RESOLVED.sub(" ", clean), history)
