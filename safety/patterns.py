"""Distress and self-harm language recognised by pattern: one list of regular expressions per group.

Text is normalised before matching (see `normalise`): lower case, curly quotes made straight, apostrophes
dropped ("I'm" and "im" read the same, as do "can't" and "cant"), letters typed three or more times in a row
cut to one ("sooo" reads "so"), and white space folded. Key words also match with one letter left out or two
neighbouring letters swapped (`typos`), the commonest slips on a phone keyboard.

Every pattern speaks in the first person: "I've been thinking about killing myself" matches, "a staff member
told me she has been self-harming" does not. A message about helping someone else is a work situation and is
answered as one (see safety.guard). Work idioms that borrow the same words ("this deadline is killing me", "I'm
killing myself to get this brief done", "I'd rather die than sit through another meeting", "I'm burning myself
out") are kept out by the way each pattern is written; tests/test_safety.py holds both kinds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


def typos(word: str) -> str:
    """A regex matching `word`, or `word` with one letter left out or two neighbouring letters swapped (the first
    letter is always kept, so "myself" does not become "yself")."""
    variants = {word}
    for n in range(1, len(word)):
        variants.add(word[:n] + word[n + 1:])
        if n + 1 < len(word):
            variants.add(word[:n] + word[n + 1] + word[n] + word[n + 2:])
    return "(?:" + "|".join(sorted((re.escape(v) for v in variants), key=len, reverse=True)) + ")"


MYSELF = rf"(?:my ?self|{typos('myself')})"
SUICIDE = rf"(?:{typos('suicide')}|{typos('suicidal')}|sui?cid\w*)"
ANYMORE = r"(?:any ?more|any longer|no more)"
ME = r"(?:i|im|ive|id|ill|i am|i have|i was|i had|i keep|i just|i really|i honestly)"
# Up to four words between "I" and what follows, none of them a third person (so "I think she wants to..."
# does not count as the writer speaking about themselves).
GAP = r"(?:\s+(?!(?:he|she|they|theyre|hes|shes|someone|somebody|staff|colleague|member|client|employee)\b)[\w-]+){0,4}"
# "suicide prevention", "suicide awareness" and the like name work, not a feeling.
NOT_A_PROGRAM = (r"(?!\s+(?:prevention|awareness|risk|support|line|services?|program\w*|strateg\w*|framework|data|"
                 r"rates?|postvention|training|grants?|safety|first aid)\b)")

GROUPS: dict[str, tuple[str, ...]] = {
    # Suicidal ideation: thoughts of killing oneself, wishing to be dead, plans, means, goodbyes. The work idiom
    # "killing myself to/over/trying..." and "I'd rather die than..." are excluded.
    "suicidal ideation": (
        rf"\b(?:kill|killing|killed|kil|kiling){' '}{MYSELF}\b(?!\s+(?:to|over|trying|for|with|working|at|on|getting|"
        r"doing|here|in)\b)",
        r"\bkms\b",
        r"\bunaliv\w*",
        rf"\b{ME}{GAP}\s+{SUICIDE}\b{NOT_A_PROGRAM}",
        rf"^\s*{SUICIDE}\b",
        r"\b(?:end|ending|ended|take|taking|took)\s+my\s+(?:own\s+)?life\b",
        r"\b(?:end|ending)\s+it\s+all\b",
        r"\b(?:think|thinking|thought|thoughts|planning|plan|planned|how to|how id|want to|wanna|going to|gonna|"
        r"easier to(?: just)?|about)\s+(?:about\s+|of\s+)?(?:how to\s+)?(?:ending|end)\s+(?:it|things|everything)\b"
        r"(?!\s+(?:with|between|for the|on the)\b)",
        rf"\b{ME}{GAP}\s+(?:want|wanna|wanted|wish|wished)\s+(?:to\s+)?(?:die|be dead)\b",
        rf"\b{ME}{GAP}\s+not\s+wanting\s+to\s+(?:live|be alive|be here|exist|wake up)\b",
        rf"\b{ME}{GAP}\s+(?:want|wanna|wish i could)\s+(?:to\s+)?disappear\b[^.?!]{{0,12}}\b(?:and never|forever|"
        r"off the face|for good|permanently)",
        rf"\b{ME}{GAP}\s+(?:want|wanna|need)\s+(?:the\s+pain|it\s+all|everything)\s+to\s+(?:stop|end)\b",
        r"\b(?:makes?|made)\s+me\s+want\s+to\s+die\b",
        r"\b(?:dont|do not|didnt|no longer|never)\s+(?:really\s+)?(?:want|wanna)\s+(?:to\s+)?(?:live|be alive|be here|"
        r"exist|wake up|keep living|go on living|be around)\b",
        r"\b(?:go to sleep|fall asleep|sleep)\s+and\s+(?:just\s+)?(?:not|never)\s+wake\s+up\b",
        r"\b(?:relief|easier|better)\s+to\s+(?:just\s+)?not\s+wake\s+up\b",
        r"\bbetter\s+off\s+(?:without\s+me|if\s+i\s+(?:was|were|wasnt|werent|was not|were not|didnt|wasnt here)|"
        r"with\s+the\s+insurance|dead)\b",
        r"\b(?:easier|better)\s+(?:for\s+(?:everyone|everybody|them|all|my family)\s+)?if\s+i\s+(?:just\s+)?"
        r"(?:wasnt|werent|was not|were not|wasn t|didnt exist|was gone|were gone|died|was dead|wasnt in it)\b",
        r"\b(?:no ?one|nobody|anyone|anybody)\b[^.?!]{0,30}\b(?:notice|care|miss me|even know)\b[^.?!]{0,30}"
        r"\b(?:if\s+i|i\s+was\s+gone|when\s+im\s+gone|gone)\b",
        r"\bwhen\s+im\s+gone\b",
        r"\b(?:not|wont|won t|never)\s+be(?:ing)?\s+around\s+(?:much\s+longer|for\s+much\s+longer|anymore|any more)\b",
        r"\babout\s+not\s+being\s+around\b",
        r"\b(?:looking up|looked up|searching|searched|researching|researched|googling|googled|reading about)\s+"
        r"(?:for\s+)?(?:ways|how|methods)\s+to\s+(?:die|end it|kill|end my life|do it|suicide)",
        r"\b(?:pills|tablets)\s+(?:saved|stockpiled|stashed|put aside|hidden)\b",
        r"\b(?:saved|saving|save|stockpil\w*|hoard\w*|stash\w*|collect\w*)\s+(?:up\s+)?(?:all\s+)?my\s+"
        r"(?:sleeping\s+)?(?:pills|tablets|meds|medication)\b",
        r"\b(?:saved|saving)\s+up\s+(?:some\s+)?(?:sleeping\s+)?(?:pills|tablets|meds)\b",
        r"\b(?:take|taking|took|swallow\w*)\s+(?:all\s+)?(?:of\s+)?(?:my|the|those)\s+(?:pills|tablets|meds)\b",
        rf"\b{ME}{GAP}\s+(?:an\s+)?overdos\w*",
        r"\b(?:jump|jumping|jumped)\s+(?:off|from)\s+(?:a|the|that|this)?\s*(?:bridge|building|roof|cliff|balcony|"
        r"platform|car ?park)\b",
        r"\bbridge\b[^.?!]{0,50}\bjump\w*\s+off\b",
        r"\b(?:step|stepping|stepped|walk|walking)\s+(?:off|in front of)\s+(?:the|a)\s+(?:platform|train|bus|truck|"
        r"car|traffic)\b",
        r"\b(?:stepping|step|stepped|walking|walk)\s+off\s*(?:[.,!]|$)",
        r"\bin\s+front\s+of\s+(?:a|the)\s+(?:train|bus|truck|tram)\b",
        r"\b(?:swerv\w*|driv\w*|crash\w*)\s+(?:the car\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:tree|road|bridge|wall|"
        r"cliff|oncoming|pole|truck)\b",
        r"\b(?:giving|give|gave|given)\s+(?:away\s+)?(?:all\s+)?my\s+(?:things|stuff|belongings|possessions)\b",
        r"\b(?:wrote|written|writing|write|left)\s+(?:a|my)\s+(?:suicide\s+|goodbye\s+)?note\b\s*(?:last night|"
        r"for my (?:family|partner|kids)|to my (?:family|partner|kids))?\s*[.!]*$",
        r"\bgoodbye\s+(?:email|letter|note|message)\b",
        r"\b(?:say|saying)\s+goodbye\s+to\s+(?:someone|everyone|people|my family)\b",
        r"\bi(?:ve| have)?\s+got\s+a\s+plan\s+and\b",
        r"\bhow\s+id\s+do\s+it\b",
        r"\b(?:whether|if)\s+life\s+is\s+(?:for\s+me|worth\s+(?:it|living))\b",
        r"\b(?:life|living)\s+(?:isnt|is not|aint)\s+worth\b",
        r"\b(?:permanent|only)\s+(?:way\s+out|solution)\b[^.?!]{0,20}\b(?:end|die|permanent|it)\b",
        r"\bthe\s+only\s+way\s+out\s+(?:i\s+can\s+see\s+)?is\s+(?:to\s+end|a\s+permanent|death|dying|suicide)",
        r"\bthink\s+about\s+being\s+dead\b",
        r"\b(?:want|wanted)\s+it\s+(?:all\s+)?to\s+stop\s+for\s+good\b",
        r"\bdark\s+thoughts\b",
        # Questions about means: how many tablets, a lethal dose, how high, how long it takes, a painless way.
        r"\bhow\s+(?:many|much)\b[^.?!]{0,40}\b(?:pills|tablets|meds|medication|panadol|paracetamol|nurofen|"
        r"insulin|sleeping\s+pills|antidepressants)\b[^.?!]{0,40}\b(?:take|takes|kill|enough|lethal|fatal|die|od|"
        r"overdose|not\s+wake)\b",
        r"\b(?:lethal|fatal|deadly)\s+(?:dose|amount|overdose)\b",
        r"\benough\s+(?:pills|tablets|meds|sleeping\s+pills)\s+to\b",
        r"^(?=.*\b(?:jump\w*|fall|drop|building|bridge|balcony|cliff|floors?)\b).*\bhow\s+(?:high|tall|far|many\s+floors)"
        r"\b[^.?!]{0,60}\b(?:die|kill|survive|fatal|lethal|enough)\b",
        r"\bhow\s+(?:long|quickly|fast)\s+(?:does|would|will)\s+it\s+take\s+to\s+(?:die|bleed\s+out|drown|"
        r"suffocate|pass\s+out\s+and\s+die)\b",
        r"\b(?:painless|quickest|easiest|quiet|peaceful)\s+(?:way|ways|method|methods)\s+to\s+(?:die|go|end\s+it|"
        r"kill\s+yourself|kill\s+myself|do\s+it)\b",
        r"\bhang(?:ing|ed)?\s+" + MYSELF + r"\b",
        r"\b(?:bought|got|have|found)\s+(?:a|the|some)\s+rope\b",
        r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:just\s+)?jumping\b(?!\s+(?:ship|in|on|at|to|"
        r"into|the\s+queue|ahead|through|across|over|back))",
        # Trapped with no way out, said of oneself, or as the whole message.
        r"^[^.?!]{0,30}\bno\s+way\s+out\s*[.!]*$",
        r"\b(?:i|i feel|feel|feels|feeling|i see|i can see|i cant see)\b[^.?!]{0,20}\bno\s+way\s+out\s*(?:[.!,]|$)",
        r"\b(?:cant|cannot|can not)\s+go\s+on\s*(?:[.,!]|$|like\s+this\s*(?:[.,!]|$)|living|anymore|any more)",
        rf"\b{ME}{GAP}\s+(?:just\s+)?(?:want|wanna)\s+to\s+(?:just\s+)?disappear\s*(?:[.!]|$)",
        r"\b(?:waste|waste\s+of)\s+(?:space|oxygen)\b",
    ),
    # Self-harm: hurting, cutting or burning oneself, fear of what one might do to oneself, not feeling safe.
    # "Burning myself out" and "cut myself some slack" are work idioms and do not match.
    "self-harm": (
        rf"\b(?:cut|cutting|cuts|burn|burning|burnt|burned|hurt|hurting|hurts|harm|harming|scratch\w*|punish\w*|"
        rf"starv\w*|hit|hitting|bash\w*){' '}{MYSELF}\b(?!\s+(?:out|some|a bit of|any)\b)",
        rf"\b{ME}{GAP}\s+(?:{typos('self-harm')}|self\s?harm)\w*",
        r"\b(?:started|start|been|keep|kept|am|im|back to)\s+cutting\s*(?:again|my\s+(?:arms|legs|wrists|skin))\b",
        r"\b(?:started|been)\s+cutting\s*(?:[.!]|$)",
        r"\bi\s+deserve\s+(?:to\s+(?:hurt|suffer|die|be\s+punished|be\s+hurt|feel\s+pain)|pain|this\s+pain)\b",
        r"\bdeserve\s+to\s+be\s+punished\b",
        rf"\bwhat\s+(?:i|ill|i will|i might|id|i could|i would)\s+(?:might\s+|could\s+)?do\s+to\s+{MYSELF}",
        r"\b(?:scared|afraid|frightened|terrified|worried)\s+(?:ill|i will|i might|i could)\s+do\s+it\s+again\b",
        r"\bscared\s+of\s+what\s+(?:i|ill)\b[^.?!]{0,20}\bdo\b",
        rf"\b(?:unsafe|not\s+safe)\s+(?:with|around|from|by)\s+{MYSELF}",
        rf"\b(?:cant|cannot|can not|dont think i can|not sure i can|unable to)\s+keep\s+{MYSELF}\s+safe\b",
        r"\b(?:arms|legs|wrists|skin)\s+until\s+(?:they|it)\s+bleed",
    ),
    # Hopelessness and being a burden: no future, no point, no reason to go on, self-hatred, worthlessness,
    # feeling empty or done with everything. "Hopeless about getting Finance to agree" is a work frustration and
    # does not match; "hopeless about everything" does.
    "hopelessness or burden": (
        r"\b(?:im|i am|i feel like|feel like|feeling like|being|just|such|me being)\s+(?:a\s+|such\s+a\s+|"
        r"nothing but a\s+|only a\s+)?(?:huge\s+|massive\s+)?burden\b",
        r"\b(?:feel|feeling|felt)\s+(?:like\s+)?(?:a|such a)\s+burden\b",
        r"\b(?:cant|cannot|can not|dont|do not|no longer)\s+(?:see|imagine|picture)\s+(?:a|any)\s+"
        r"(?:future|way forward)\s*(?:for\s+(?:myself|me))?",
        r"\bno\s+future\s+for\s+(?:me|myself)\b",
        r"\bnothing\s+(?:is|will)\s+ever\s+(?:going\s+to\s+)?(?:get|be|feel)\s+better\b",
        r"\bwhats\s+the\s+point\s*(?:of\s+(?:it|any\s+of\s+it|anything|everything|living|life|going\s+on|trying|me)\s*)?"
        rf"(?:\s*{ANYMORE})?\s*[?.!]*\s*$",
        r"\bwhats\s+the\s+point\s+of\s+(?:any\s+of\s+it|anything|everything|living|life|going\s+on|me)\b",
        r"\b(?:no|any)\s+(?:point|reason)\s+(?:to|in|of|for)\s+(?:anything|living|life|going\s+on|keep\s+going|"
        r"keep\s+living|keep\s+trying|being\s+alive|stay(?:ing)?\s+alive|me|it\s+all|any\s+of\s+it)\b",
        r"\b(?:no|any)\s+(?:point|reason)\s+to\s+(?:keep|go)\s+(?:going|on|trying)\b",
        r"\bi\s+(?:just\s+|really\s+|honestly\s+)?(?:cant|dont|do not|cannot)\s+see\s+(?:the|any|a)\s+"
        r"(?:point|reason)\s*(?:of|in|to|for)?\s*"
        r"(?:living|going\s+on|life|keep\s+going|it\s+all|anything|any\s+of\s+it|being\s+here|being\s+alive|"
        r"staying\s+alive|existing|waking\s+up|trying)?\s*(?:[.,!]|$|"
        r"anymore|any more)",
        r"\b(?:see|find)\s+(?:the|any)\s+point\s+(?:of|in)\s+(?:living|life|going\s+on|being\s+alive)\b",
        r"\b(?:hate|loathe|despise|cant\s+stand)\s+" + MYSELF + r"\b",
        r"\b(?:im|i am|feel|feeling|so|completely|totally|utterly)\s+(?:completely\s+|totally\s+|so\s+|utterly\s+)?"
        r"worthless\b",
        r"\bfailure\s+as\s+a\s+(?:person|human)\b",
        r"\buseless\s+at\s+everything\b",
        r"\b(?:im|i am|pretty sure im|i think im|just)\s+(?:so\s+)?(?:done|finished)\s+with\s+(?:everything|life|"
        r"it all|living|all of it)\b",
        r"\b(?:giv\w+|gave)\s+up\s+on\s+(?:life|living|myself|everything)\b",
        r"\b(?:tired|sick)\s+of\s+(?:being\s+alive|living|life|existing|being\s+me)\b",
        r"\b(?:my\s+)?life\s+is\s+over\b",
        r"\b(?:feel|feeling|felt)\s+(?:so\s+|completely\s+|totally\s+|really\s+)?hopeless\s*(?:about\s+(?:everything|life|my\s+life|"
        r"myself|the\s+future|it\s+all)|all\s+the\s+time|[.,!]|$|and\b)",
        r"\bhopeless\s+about\s+everything\b",
        r"\btrapped\b[^?]{0,40}\b(?:no\s+way\s+out|no\s+escape|hopeless)\b",
        r"\bno\s+way\s+out\b[^.?!]{0,30}\b(?:for\s+me|of\s+this\s+life|of\s+my\s+life)\b",
        r"\bi\s+feel\s+(?:so\s+|completely\s+|totally\s+|really\s+)?(?:empty|numb|pointless|hollow)\b",
        r"\b(?:feel|feels|feeling)\s+(?:so\s+)?(?:empty|numb)\s+and\s+(?:pointless|hopeless|worthless)\b",
        r"\beverything\s+(?:feels|is)\s+(?:so\s+)?(?:pointless|dark|hopeless)\b",
        r"\b(?:dont|do not)\s+care\s+(?:what\s+happens\s+to\s+me|if\s+i\s+(?:live|die|wake\s+up)|about\s+(?:living|"
        r"anything|myself)\s+anymore)",
        r"\bmy\s+head\s+(?:wont|keeps|will not)\s+(?:stop\s+)?telling\s+me\b",
        r"\bshouldnt\s+be\s+here\b",
        r"\bwaiting\s+for\s+it\s+(?:all\s+)?to\s+be\s+over\b",
        r"\bwish\s+i\s+(?:hadnt|had not|didnt|did not|never)\s+(?:woken|wake|woke)\b",
        r"\bwake\s+up\s+and\s+wish\s+i\s+hadnt\b",
        r"\b(?:im|i am)\s+(?:so\s+)?(?:tired|exhausted)\s+(?:of|from)\s+(?:pretending|trying)\b",
        r"\bno\s+point\s+(?:fighting|trying)\s+(?:anymore|any more)\b",
        r"\bnot\s+(?:work|job)\s+cooked\b",
    ),
    # Not coping, in crisis: cannot cope or go on, falling apart, crying every day, not eating and not sleeping,
    # nobody to tell. "I can't cope with this workload" stays a work situation unless more is said.
    "not coping": (
        rf"\b(?:cant|can not|cannot|couldnt)\s+cope\b(?:\s+(?:{ANYMORE}|with\s+(?:anything|life|it\s+all|everything|"
        r"any\s+of\s+it)))?(?!\s+with)",
        r"\b(?:im|i am|i m)\s+(?:really\s+|just\s+|honestly\s+|so\s+)?not\s+coping\b(?!\s+with\s+(?:the|this|my|our)\s+"
        r"(?:workload|work|deadlines?|volume|inbox))",
        r"\b(?:im|i am|i m)\s+(?:really\s+|just\s+|honestly\s+|so\s+)?not\s+(?:ok|okay|alright|all\s+right)\b"
        r"(?!\s+(?:with|about|that|to|if|for)\b)",
        r"\bnot\s+(?:ok|okay)\s+mate\b",
        rf"\b(?:cant|cannot|can not)\s+(?:do|keep\s+doing|take|handle)\s+(?:this|it|any\s+of\s+this)\s+{ANYMORE}\b"
        r"(?!\s+(?:with|at)\b)",
        r"\b(?:cant|cannot)\s+do\s+this\s+any\s?more\s+i\s+just\s+cant\b",
        r"\bi\s+just\s+cant\s*$",
        r"\b(?:cant|cannot|can not|couldnt)\s+hold\s+it\s+together\b",
        r"\b(?:im|i am|i feel like im|feel like im)\s+(?:completely\s+|totally\s+|just\s+)?"
        r"(?:falling\s+apart|breaking\s+(?:down|apart|into\s+pieces)|losing\s+my\s+mind|at\s+breaking\s+point)\b",
        r"\b(?:cry|crying|cried|sob|sobbing|sobbed)\b[^.?!]{0,30}\b(?:every\s+(?:single\s+)?(?:day|night|morning)|"
        r"all\s+(?:day|night)|for\s+(?:days|weeks|months)|at\s+(?:my|the)\s+desk|in\s+the\s+(?:work\s+)?(?:toilets?|"
        r"bathroom|car|loos?)|three\s+times)",
        r"\b(?:cant|can not|cannot)\s+stop\s+(?:crying|sobbing)\b",
        r"\b(?:havent|have not|cant|can not|barely|not|hardly|stopped)\s+(?:properly\s+)?"
        r"(?:slept|sleeping|sleep|sleepin)\b[^.?!]{0,50}\b(?:eat|eating|eaten|eatin)\b",
        r"\b(?:havent|have not|cant|barely|not|hardly|stopped)\s+(?:eaten|eating|eat|eatin)\b[^.?!]{0,50}"
        r"\b(?:sleep|slept|sleeping|bed)\b",
        r"\b(?:dont|do not|not sure i|no idea)\s+know\s+how\s+(?:much\s+)?(?:longer|long)\s+i\s+can\s+"
        r"(?:go\s+on|keep\s+going|hold\s+(?:it\s+together|on)|keep\s+this\s+up)",
        r"\b(?:dont|do not|idk|dunno)\s+(?:know\s+)?how\s+to\s+keep\s+going\b",
        r"\b(?:dont think i can|cant|cannot|not sure i can|dont want to|don t want to)\s+keep\s+going\b"
        r"(?!\s+(?:with|on|like\s+this\s+at\s+work)\b)",
        r"\b(?:its|it is|everything is|everythings|everything feels|its all)\s+(?:all\s+|just\s+)?too\s+much\b"
        r"(?!\s+(?:work|for|to|on|at)\b)",
        r"\b(?:please|pls|plz)\s+help(?:\s+me)?\s*[.!]*\s*$",
        r"\b(?:dont\s+know|no\s+idea)\s+who\s+else\s+to\s+(?:tell|talk\s+to|turn\s+to)\b",
        r"\b(?:no\s?one|nobody|anyone)\s+(?:else\s+)?(?:i\s+can|to)\s+(?:tell|talk\s+to|turn\s+to)\b",
        r"\b(?:drinking|drink)\s+every\s+night\s+(?:just\s+)?to\s+(?:numb|shut|forget|cope|get\s+through)",
        r"\bdrowning\b[^.?!]{0,40}\b(?:not\s+work|my\s+own\s+life|in\s+my\s+life)\b",
        r"\bnot\s+travelling\s+well\b",
        r"\b(?:doing\s+it|doin\s+it)\s+(?:real|really)\s+tough\b",
        r"\bso\s+over\s+everything\b",
        r"\b(?:im|i am)\s+(?:really\s+)?struggling\s+to\s+(?:stay|keep)\s+(?:alive|safe)\b",
    ),
    # Panic now: a panic attack happening, cannot breathe, heart racing, shaking, fear of dying.
    "panic": (
        r"\b(?:im|i am|i|ive|i keep|i think im|keep)\b[^.?!]{0,25}?\b(?:having|had|get|getting|got)\s+"
        r"(?:a\s+|another\s+|these\s+)?panic\s+attacks?\b",
        r"\bpanic\s+attacks?\s+(?:right\s+now|every\s+day|again|at\s+my\s+desk)\b",
        r"\b(?:cant|can not|cannot|couldnt)\s+(?:breathe|breath|breathe\s+properly|catch\s+my\s+breath)\b",
        r"\b(?:cant|can not|cannot)\s+stop\s+(?:panicking|panicing|shaking)\b",
        r"\bfeel\s+like\s+(?:im|i am)\s+(?:gonna|going\s+to|about\s+to)\s+die\b",
        r"\b(?:heart|chest)\b[^.?!]{0,15}\b(?:racing|pounding)\b[^.?!]{0,40}\b(?:breath|shaking|panic|cant\s+think)",
        r"\bchest\s+(?:is\s+)?(?:so\s+)?(?:tight|locks?\s+up|locking\s+up)\b[^.?!]{0,40}\b(?:breath|breathe|shaking|"
        r"panic|cant\s+think)",
    ),
}

# Figures of speech that borrow the words of death, violence and exhaustion for work ("this audit will be the death
# of me", "I'm dying to get this off my desk", "the project is on life support"). They never make a text distress
# on their own; when one is present, the detector must reach its higher, single-sentence bar (safety.guard).
IDIOMS = re.compile(
    r"\b(?:dying\s+to|death\s+of\s+(?:me|us)|death\s+sentence|(?:is|are|was|its|it s)\s+killing\s+(?:me|us|the|our|my)|"
    r"(?:going\s+to|gonna|will|could)\s+kill\s+(?:us|me|the|him|her|them)|kill(?:ed|ing)?\s+(?:off|it|our|the|this|that)|"
    r"killer|dead\s+(?:in\s+the\s+water|on\s+arrival|on\s+my\s+feet|horse|end)|last\s+legs|life\s+support|"
    r"bloodbath|slaughtered|train\s*wreck|flatlin\w*|bleeding\s+(?:money|time|goodwill|staff)|haemorrhag\w*|"
    r"murder\s+a|crime\s+scene|died\s+of\s+embarrassment|rather\s+die\s+than|at\s+each\s+others?\s+throats|"
    r"(?:cooked|wrecked|fried|smashed|stuffed|knackered|beat)\s+after|burnt?\s+out\s+(?:on|from|by))"
)

ABOUT_SELF_HARM = re.compile(
    rf"\b(?:{SUICIDE}|self\s?-?\s?harm\w*|kill\w*\s+(?:him|her|them)sel(?:f|ves)|end\w*\s+(?:his|her|their)\s+"
    r"(?:own\s+)?life|wanting\s+to\s+die|crisis\s+support|lifeline)\b"
)
"""Mentions of suicide or self-harm in any person: a work situation that touches them gets support details too."""

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class Hit:
    """The group of the first pattern that matched, and the pattern itself."""

    group: str
    pattern: str


def normalise(text: str) -> str:
    """Text as the patterns read it: lower case, apostrophes dropped, repeated letters cut, white space folded."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).lower()
    text = re.sub(r"(?<=\w)'(?=\w)", "", text)
    text = text.replace("'", " ")
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def compiled() -> dict[str, tuple[re.Pattern, ...]]:
    """The groups' patterns, compiled on first use rather than at import (a command that never checks a text,
    such as a search from the command line, does not wait for them)."""
    return {name: tuple(re.compile(p) for p in group) for name, group in GROUPS.items()}


def match(text: str) -> Hit | None:
    """The first distress pattern that matches the text, or None."""
    plain = normalise(text)
    for group, patterns in compiled().items():
        for pattern in patterns:
            if pattern.search(plain):
                return Hit(group, pattern.pattern)
    return None


def figure_of_speech(text: str) -> bool:
    """Whether the text uses a work idiom of death or exhaustion ("this deadline is killing me")."""
    return bool(IDIOMS.search(normalise(text)))


def mentions_self_harm(text: str) -> bool:
    """Whether the text mentions suicide or self-harm at all (anyone's: a staff member's, a client's, a program)."""
    return bool(ABOUT_SELF_HARM.search(normalise(text)))
