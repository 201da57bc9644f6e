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
ANYMORE = rf"(?:any ?more|{typos('anymore')}|any longer|no more)"
ME = r"(?:i|im|ive|id|ill|i am|i have|i was|i had|i keep|i just|i really|i honestly)"
# Up to four words between "I" and what follows, none of them a third person (so "I think she wants to..."
# does not count as the writer speaking about themselves).
GAP = r"(?:\s+(?!(?:he|she|they|theyre|hes|shes|someone|somebody|staff|colleague|member|client|employee)\b)[\w-]+){0,4}"
# "suicide prevention", "suicide awareness" and the like name work, not a feeling.
NOT_A_PROGRAM = (r"(?!\s+(?:prevention|awareness|risk|support|line|services?|program\w*|strateg\w*|framework|data|"
                 r"rates?|postvention|training|grants?|safety|first aid)\b)")
# An ordinary reason to be away or to say goodbye (leave, a new job, retiring, a move, a farewell), anywhere in the
# text: "I won't be around after Friday, I'm on leave" and "a goodbye email for my retiring colleague" are work.
AWAY = (r"^(?!.*\b(?:retir\w*|farewell\w*|leave|leaving|secondment|seconded|new\s+(?:job|role|position|agency|"
        r"department|division|branch|team)|moving|move|promot\w*|acting|contract|transfer\w*|relocat\w*|another\s+agency|"
        r"parental|maternity|paternity|long\s+service|holidays?|vacation|surgery|operation|conference|overseas|travel\w*|"
        r"posting|start\w*\s+(?:at|with|in)|hot\s?desk\w*|declutter\w*|downsiz\w*)\b)")
# An event, a trip or a piece of work named anywhere in the text: "worked out the logistics for the offsite, just need
# to pick the day" is work.
NO_EVENT = (r"^(?!.*\b(?:offsite|off-site|workshop|meeting|event|party|launch|function|wedding|conference|trip|"
            r"holidays?|move|moving|farewell|morning\s+tea|lunch|dinner|drinks|forum|session|planning\s+day|retreat|"
            r"training|interview|visit|ceremony|celebration|go-?live|release|cutover|rollout|roll-out|announcement|"
            r"all-?staff|town\s+hall|bbq|barbecue|dinner|appointment|exam|surgery|roadshow|consultation)\b)")
# A work fault named anywhere in the text: "the audit finding isn't their fault" is work.
NO_WORK_FAULT = (r"^(?!.*\b(?:audit|review|outage|incident|findings?|breach|error|mistake|complaint|delay\w*|"
                 r"inquiry|restructur\w*|redundan\w*|budget|decision|results?|failure|project|cuts|overspend|"
                 r"backlog|rating|feedback)\b)")
# Close family, to whom notes and goodbyes are written.
FAMILY = r"(?:kids|children|family|partner|wife|husband|son|daughter|mum|mom|dad|parents|sister|brother)"
# A text about someone else (a staff member's cuts, a colleague's bruises) is a work situation.
NOT_ABOUT_OTHERS = r"^(?!.*\b(?:she|he|hes|shes|her|his|they|theyre|their|staff|colleague|employee|member|client)\b)"

# Not the writer: a thing, a team or someone else as the subject of "can't go on", "can't keep going" or "can't
# cope" ("this can't go on", "my team can't cope", "she can't keep going like this") is a work situation. One
# fixed-width look-behind a word, so it goes right before the verb.
NOT_THE_WRITER = "".join(rf"(?<!\b{word}\s)" for word in (
    "this", "that", "it", "things", "which", "we", "they", "he", "she", "team", "teams", "project", "program",
    "programme", "system", "budget", "plan", "branch", "division", "unit", "office", "process", "arrangement",
    "situation", "staff", "people", "everyone", "workload", "model", "service", "agency", "department"))

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
        rf"\b{ME}{GAP}\s+(?:want|wanna|need)\s+(?:the\s+pain|it\s+all|everything)\s+to\s+(?:stop|end)\b"
        r"(?!\s+(?:on|by|before|at|in|with|for|so|when|after|early|soon)\b)",
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
        r"\b(?:saved|saving|save|stockpil\w*|hoard\w*|stash\w*|collect\w*)\s+(?:up\s+)?(?:all\s+|enough\s+)?(?:of\s+)?my\s+"
        r"(?:sleeping\s+)?(?:pills|tablets|meds|medication|prescriptions?|scripts?|painkillers|sleepers)\b",
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
        r"\b(?:swerv\w*|driv\w*|crash(?:ing)?)\s+(?:the car\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:tree|road|bridge|"
        r"wall|cliff|oncoming|pole|truck)\b",
        r"\b(?:giving|give|gave|given)\s+(?:away\s+)?(?:all\s+)?my\s+(?:things|stuff|belongings|possessions)\b",
        r"\b(?:wrote|written|writing|write|left)\s+(?:a|my)\s+(?:suicide\s+|goodbye\s+)?note\b\s*(?:last night|"
        r"for my (?:family|partner|kids)|to my (?:family|partner|kids))?\s*[.!]*$",
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
        r"^(?=.*\b(?:jump\w*|fall|drop|building|bridge|balcony|cliff|floors?|car\s?park|roof|tower|overpass|"
        r"multi-?storey)\b)(?!.*\b(?:railings?|barriers?|fences?|balustrades?|clearance|ceilings?|compliance|code|"
        r"standards?|trucks?|vehicles?|signal|reception)\b).*\bhow\s+(?:high|tall|far|many\s+floors)"
        r"\b[^.?!]{0,60}\b(?:die|kill|survive|fatal|lethal|enough|certain|sure|guarantee\w*)\b",
        r"\bhow\s+(?:long|quickly|fast)\s+(?:does|would|will)\s+it\s+take\s+to\s+(?:die|bleed\s+out|drown|"
        r"suffocate|pass\s+out\s+and\s+die)\b",
        r"\b(?:painless|quickest|easiest|quiet|peaceful)\s+(?:way|ways|method|methods)\s+to\s+(?:die|go|end\s+it|"
        r"kill\s+yourself|kill\s+myself|do\s+it)\b",
        r"\bhang(?:ing|ed)?\s+" + MYSELF + r"\b",
        r"\b(?:bought|got|have|found)\s+(?:a|the|some)\s+rope\b",
        r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:just\s+)?jumping\b(?!\s+(?:ship|in|on|at|to|"
        r"into|the\s+queue|ahead|through|across|over|back))",
        # Means alluded to rather than named: a height "high enough", the tallest building with roof access, all of
        # one's tablets at once, one's own tablets "enough" or "too many", pills with alcohol, a car's exhaust, rope
        # strong enough to hold a person, a gun and oneself. "Is the balustrade high enough for the code" is not.
        r"\b(?:drop|fall|jump)\b[^.?!]{0,60}\b(?:high|tall|far)\s+enough\b",
        r"^(?!.*\b(?:railings?|barriers?|fences?|balustrades?|clearance|ceilings?|compliance|code|standards?|signal|"
        r"reception|trucks?|vehicles?|ferr(?:y|ies)|ships?|boats?|vessels?|budget|antennas?)\b).*\b(?:top\s+"
        r"(?:level|floor|deck)|roof(?:top)?|balcony|floor|level|storey|bridge|overpass|car ?park|parking\s+"
        r"(?:garage|station|lot)|building|cliff|tower)\b[^.?!]{0,60}\b(?:high|tall)\s+enough\b",
        r"\b(?:tallest|highest)\s+(?:building|bridge|car ?park|point|cliff|tower)\b[^.?!]{0,60}\b(?:roof|"
        r"get\s+(?:out|up)|jump)",
        r"\b(?:took|take|taking|swallow\w*)\s+(?:all|a\s+whole\s+(?:pack|packet|box|bottle|strip)|the\s+whole\s+(?:pack|"
        r"packet|box|bottle))\s+(?:of\s+)?(?:my\s+|the\s+|those\s+)?(?:\w+\s+)?(?:pills|tablets|meds|medication|"
        r"antidepressants|panadol|paracetamol|nurofen|oxy\w*|codeine|insulin)\b",
        r"\bmy\s+(?:\w+\s+){0,2}(?:pills|tablets|meds|medication|antidepressants|oxy\w*|codeine)\b[^?]{0,60}\b(?:enough|"
        r"too\s+many|lethal|fatal|kill|overdose)\b",
        r"\bmix\w*\s+(?:alcohol|wine|booze|drinks?)\s+(?:with|and)\s+(?:my\s+)?(?:\w+\s+)?(?:pills|tablets|meds|"
        r"medication)\b[^.?!]{0,30}\b(?:lethal|fatal|kill|enough|die)",
        r"\bmix\w*\s+my\s+(?:\w+\s+)?(?:pills|tablets|meds|medication)\s+with\s+(?:alcohol|wine|booze|vodka|beer|drink\w*)",
        r"\bexhaust\b[^.?!]{0,40}\b(?:doesnt|does\s+not|dont|still|would|does)\s+(?:\w+\s+)?(?:work|kill)",
        r"\bengine\s+running\b[^.?!]{0,60}\bhow\s+long\b|\b(?:closed|shut)\s+garage\b[^.?!]{0,40}\bengine\b",
        r"\brope\b[^.?!]{0,40}\b(?:hold\s+(?:a\s+person|me|my|someone)|strong\s+enough)",
        r"\b(?:gun|firearm|rifle|shotgun)\b[^.?!]{0,40}\b(?:myself|my\s+head|my\s+mouth)\b",
        # Wishing not to wake: hoping not to, falling asleep "and that be it", sleeping forever.
        r"\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?i\s+(?:dont|do\s+not|wont|will\s+not|never|wouldnt|"
        r"would\s+not)\s+wake\s+up\b",
        r"\bnot\s+(?:to\s+)?wake\s+up\s*(?:[.!?]|$|again|tomorrow|ever|anymore|any\s+more|in\s+the\s+morning)",
        r"\b(?:fall|go\s+to|drift\s+off\s+to)\s+(?:asleep|sleep)\s+and\s+(?:that\s+(?:be|would\s+be|was)\s+it|"
        r"(?:just\s+)?stay\s+asleep|never\s+wake)",
        r"\bsleep\s+forever\b",
        # Rather be dead, said of a real prospect ("than face it", or on its own); "rather die than sit through another
        # meeting" is a work idiom and does not match.
        r"\brather\s+(?:be\s+dead|die)\s*(?:[.!,]|$|than\s+(?:face|live|go\s+on|keep\s+(?:going|living|doing\s+this)|"
        r"go\s+through\s+(?:that|this|it)|be\s+(?:named|exposed|sacked|shamed|humiliated)|lose|tell|admit))",
        r"\brather\s+not\s+(?:exist|be\s+alive|be\s+here|wake\s+up)\b",
        # Being a burden: they would be fine or happier without me, the world lighter; a drain on everyone; the family
        # getting the insurance.
        r"\b(?:they|theyd|theyll|everyone|everybody|world|my\s+(?:family|kids|partner|wife|husband|children|team))\b"
        r"[^.?!]{0,30}(?<!wont )(?<!not )\b(?:be|are|get\s+on|do|cope|manage|go\s+on)\s+(?:fine|better|happier|ok|okay|"
        r"lighter|easier)\s+without\s+me\b"
        r"(?!\s+(?:for|while|during|on|at|when|until|till|next|this|there)\b)",
        r"\b(?:happier|lighter|calmer)\s+(?:if|when)\s+i\s+(?:wasnt|werent|was\s+not|was\s+gone|were\s+gone|"
        r"didnt\s+exist|disappeared|was\s+dead)\b",
        r"\b(?:easier|better)\s+(?:for\s+\w+\s+)?if\s+i\s+wasnt\s+(?:around|here)\b",
        r"\b(?:im|i\s+am|just|such|being|only)\s+(?:a\s+|such\s+a\s+)?(?:drain|dead\s+weight|millstone)\s+on\s+"
        r"(?:everyone|everybody|my\s+family|them|all\s+of\s+them|the\s+people)",
        rf"\b{FAMILY}\b[^.?!]{{0,40}}\b(?:still\s+)?gets?\s+(?:my|the)\s+(?:super|life\s+insurance|insurance|payout)",
        r"\bif\s+i\s+(?:just\s+)?(?:vanished|disappeared|was\s+gone|wasnt\s+here|died|didnt\s+(?:come\s+back|turn\s+up|"
        r"show\s+up))\b(?!\s+for\s+(?:a|an|two|the)\b)[^.?!]{0,40}\b(?:would|will)\s+(?:anyone|anybody|they|people|"
        r"my\s+\w+)\s+(?:even\s+)?(?:notice|care|miss)",
        # Places and means dwelt on: standing at an edge up high, or there a long time; imagining jumping or stepping
        # off; driving into water or a pillar; a means one keeps thinking about; searching how long it takes.
        r"^(?=.*\b(?:roof|balcony|car\s?park|cliff|bridge|platform|ledge|lookout|multi-?storey|levels?\s+up|floors?\s+up)"
        r"\b).*\b(?:stand\w*|stood|sat|sitting)\s+(?:right\s+)?(?:near|on|at|close\s+to|by)\s+the\s+edge(?:\s+of\s+(?:the|a)\s+"
        r"(?:platform|roof|balcony|cliff|bridge|car\s?park|building))?\b(?!\s+of)",
        r"^(?!.*\b(?:cancel\w*|delay\w*|late|strike|timetable|drill|evacuat\w*|fire)\b)(?=.*\b(?:roof|balcony|car\s?park|"
        r"cliff|bridge|platform|ledge|lookout|multi-?storey)\b).*\b(?:stood|standing|sat|sitting|looked\s+down|looking\s+"
        r"down|looking\s+over)\b[^.?!]{0,60}\bfor\s+(?:a\s+long\s+time|ages|an\s+hour|hours)\b",
        r"\b(?:imagine|imagining|picture|picturing)\s+(?:myself\s+)?jumping\b(?!\s+(?:ship|in|on|at|to|into|the\s+queue|ahead|"
        r"through|across|over|back))",
        r"\b(?:step|stepping|stepped)\s+off\s+the\s+(?:edge|ledge|platform)\b",
        r"\b(?:swerv\w*|driv\w*|steer\w*|crash(?:ing)?)\s+(?:the\s+car\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:lake|river|"
        r"dam|sea|pillar|overpass|oncoming\s+traffic|truck|semi)\b",
        NOT_ABOUT_OTHERS + r".*\b(?:rope|rifle|gun|pills|tablets|knife|razor|blades)\b[^.?!]{0,50}\b(?:keep\s+"
        r"thinking\s+about\s+(?:it|them)|been\s+on\s+my\s+mind)\b",
        r"\bthinking\s+about\s+(?:the|my)\s+(?:pills|tablets|rope|gun|rifle|razor|blades)\b(?!\s+(?:replacement|program\w*|"
        r"project|contract|policy|review|scheduling|listing|budget|register|strategy|line|testing))",
        r"\b(?:bought|buy|got)\s+(?:a\s+|some\s+|the\s+)?rope\b",
        NOT_ABOUT_OTHERS + r".*\b(?:sat|sitting|sit|stood)\b[^.?!]{0,40}\bwith\s+(?:the|a|my)\s+(?:razor|blade|knife|"
        r"rope)\b",
        r"\b(?:researching|googling|googled|looking\s+up|looked\s+up)\s+how\s+long\s+(?:it\s+takes|it\s+would\s+take)\s*"
        r"(?:[.!]|$|to\s+(?:die|drown|bleed))",
        r"\bpainless\s+(?:way|method)\s*[?.!]*$",
        r"\bhow\s+(?:youd|you\s+would|id|i\s+would)\s+do\s+it\b(?!\s+(?:differently|better|if|in|with|without|for|again))",
        r"\bfeel\s+like\s+ending\s+(?:it|things|everything)\b",
        # Wishing one had not been born, apologising for existing, not bothering to wake, a funeral pictured,
        # whoever finds me.
        r"\b(?:shouldnt|should\s+not|should\s+never)\s+have\s+been\s+born\b|\bwish\s+i\s+(?:was|were|had)\s+never\s+"
        r"(?:been\s+)?born\b",
        r"\b(?:apologis|apologiz|sorry)\w*\s+for\s+(?:existing|being\s+alive|being\s+born)\b",
        r"\b(?:want|wanted|wanting|wish\s+i\s+could|just)\s+(?:to\s+)?stop\s+existing\b",
        r"\bwhy\s+(?:i|do\s+i)\s+(?:even\s+)?bother\s+(?:waking\s+up|getting\s+up|living|being\s+alive)\b",
        r"\bif\s+i\s+(?:didnt|did\s+not|never|wouldnt)\s+wake\s+up\b(?!\s+(?:at|in\s+time|on\s+time|early|before))",
        r"\b(?:want|wish|hope)\b[^.?!]{0,20}\bfall\s+asleep\s+at\s+the\s+wheel\b",
        r"\b(?:picturing|imagining|imagine|planning)\s+my\s+(?:own\s+)?funeral\b",
        r"\bwhoever\s+finds\s+me\b|\b(?:who|whoever)\s+(?:will|would|is\s+going\s+to)\s+find\s+me\b",
        r"\b(?:a|the)\s+weight\s+(?:everyone|everybody|they|people|my\s+family)\s+(?:has|have)\s+to\s+carry\b",
        r"\bthoughts\s+(?:are\s+)?getting\s+(?:louder|stronger|more\s+specific)\b",
        # Short or subject-less forms: "want to die" as the message, suicidal thoughts, the job ruled out ("not the
        # job. me."), nowhere one wants to be, a fatal amount of a medicine.
        r"^\s*(?:i\s+)?(?:really\s+|just\s+)?(?:want|wanna)\s+(?:to\s+)?die\b",
        NOT_ABOUT_OTHERS + r".*\b(?:having|had|have)\s+suicidal\s+(?:thoughts|feelings|urges)\b",
        r"\bnot\s+(?:just\s+)?(?:the\s+job|work|the\s+role|a\s+career\s+break|the\s+department)\b[^?!]{0,4}[.,!;]?\s*"
        r"(?:me|myself|life|living|for\s+good)\s*(?:[.,!]|$)",
        r"\bdont\s+(?:think\s+i\s+)?want\s+to\s+be\s+anywhere\b",
        r"\b(?:paracetamol|panadol|nurofen|ibuprofen|codeine|oxy\w*|insulin|pills|tablets|antidepressants)\b[^.?!]{0,40}"
        r"\b(?:before\s+(?:its|it\s+is|it\s+gets)\s+(?:fatal|lethal)|to\s+(?:die|be\s+fatal|be\s+lethal|not\s+wake))",
        # Trapped with no way out, said of oneself, or as the whole message.
        r"^[^.?!]{0,30}\bno\s+way\s+out\s*[.!]*$",
        r"\b(?:i|i feel|feel|feels|feeling|i see|i can see|i cant see)\b[^.?!]{0,20}\bno\s+way\s+out\s*(?:[.!,]|$)",
        r"\b" + NOT_THE_WRITER + r"(?:cant|cannot|can not)\s+go\s+on\s*(?:[.,!]|$|like\s+this\s*(?:[.,!]|$)|living|"
        r"anymore|any more)",
        rf"\b{ME}{GAP}\s+(?:just\s+)?(?:want|wanna)\s+to\s+(?:just\s+)?disappear\s*(?:[.!]|$)",
        r"\b(?:waste|waste\s+of)\s+(?:space|oxygen)\b",
        # Stepping forward when the train comes, onto the tracks or into traffic, thought of by the writer ("never
        # step onto the tracks" on a safety sign is not).
        r"^(?!.*\b(?:never|dont|do\s+not|safety|sign\w*|warning|announcement|commuter|passenger)\b)(?=.*\b(?:i|im|ive|id|"
        r"me|myself)\b).*(?:\b(?:step\w*|walk\w*|jump\w*|lean\w*)\s+(?:forward|out|off|in)\b[^.?!]{0,30}\b(?:when|as)\s+"
        r"(?:the|a)\s+(?:train|tram|bus|truck)\s+(?:comes|pulls|arrives|goes|passes|is\s+coming)|\b(?:step\w*|walk\w*|"
        r"jump\w*|fall\w*|lie|lying|lay)\s+(?:out\s+)?(?:onto|on\s+to|into|in\s+front\s+of|on)\s+(?:the\s+)?(?:tracks|"
        r"train\s+tracks|rail\s+line|traffic|oncoming\s+traffic|freeway|highway)\b)",
        # A decision made and the calm that follows, with nothing said of what was decided.
        r"\b(?:calm|calmer|peaceful|at\s+peace|relieved|lighter)\s+(?:now\s+)?(?:that|since|because|now)\s+(?:ive|i\s+have|i)\s+"
        r"(?:finally\s+)?(?:decided|made\s+(?:up\s+my\s+mind|the\s+decision|my\s+decision))\s*(?:[.?!]|$)",
        # Quiet forms the detector reads past the reply bar: the pain or it all to stop as the whole message; asking
        # whether wanting to die is selfish or normal; nobody would miss me; whether anyone would come to my funeral;
        # running the car off the road "would anyone be surprised"; making it look like an accident; refusing a
        # crisis line; no future version of me; not picturing myself at Christmas or growing old.
        r"^\s*(?:i\s+)?(?:just\s+|really\s+)?(?:want|wanna|need)\s+(?:the\s+pain|it\s+all|everything)\s+to\s+"
        r"(?:stop|end)\b(?!\s+(?:on|by|before|at|in|with|for|so|when|after|early|soon)\b)",
        r"\b(?:selfish|wrong|normal|bad|ok|okay|weird|crazy|terrible)\s+(?:of\s+me\s+|for\s+me\s+)?to\s+(?:want|wish)\s+"
        r"(?:to\s+)?(?:die|be\s+dead|not\s+be\s+(?:here|alive)|not\s+exist)\b",
        r"\b(?:nobody|no\s?one)\s+(?:would|will|d|is\s+going\s+to)\s+(?:even\s+|really\s+|actually\s+)?miss\s+me\b"
        r"(?!\s+(?:at|in|on|if|for|from|during|while|when|until|till)\b)",
        r"\b(?:come|go|turn\s+up|show\s+up|bother\s+coming)\s+to\s+my\s+funeral\b",
        r"\b(?:ran|run|running|drove|drive|driving|put|steer\w*|swerv\w*|roll\w*|crash\w*)\s+(?:the|my)\s+car\s+off\b"
        r"[^.?!]{0,50}\bwould\s+(?:anyone|anybody|people|they|my\s+\w+)\s+(?:really\s+|even\s+)?(?:be\s+surprised|"
        r"notice|care|miss)",
        r"\bmake\s+it\s+look\s+like\s+an\s+accident\b",
        r"\b(?:dont|do\s+not|please\s+dont)\s+(?:tell|ask)\s+me\s+to\s+(?:call|ring|contact|text)\s+(?:a\s+|the\s+)?"
        r"(?:hotline|helpline|crisis\s+line|lifeline|beyond\s?blue|13\s?11\s?14)\b",
        r"\bno\s+future\s+(?:version\s+of\s+)?me\b|\bno\s+version\s+of\s+me\s+in\s+the\s+future\b",
        r"\b(?:cant|cannot|can\s+not|dont|do\s+not|no\s+longer)\s+(?:see|imagine|picture)\s+(?:myself|me)\s+(?:getting\s+"
        r"old|growing\s+old|in\s+(?:five|ten|a\s+few|a)\s+years?\s*(?:[.!,]|$|time)|(?:getting|making\s+it)\s+to\s+"
        r"(?:christmas|easter|the\s+new\s+year|next\s+year|my\s+next\s+birthday)|at\s+(?:christmas|easter|the\s+new\s+year))",
        # A plan with no method named: the logistics, the details or the how worked out and only the day left to pick,
        # knowing how and where, or "my plan is" a day, with no event, trip or piece of work named ("worked out the
        # logistics for the offsite, just need to pick the day", "my plan is to finish the brief by Friday" are work).
        NO_EVENT + r"(?=.*(?:\b(?:worked\s+out|sorted(?:\s+out)?|figured\s+out|planned|arranged|organised|organized|"
        r"settled)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:logistics|details|how|everything|the\s+rest)\b"
        r"(?!\s+(?:for|of|to|with|on|around|about)\b)|\b(?:everything|everythings|its|it\s+is|the\s+logistics|"
        r"the\s+details)\s+(?:is\s+|are\s+|s\s+|has\s+been\s+|have\s+been\s+)?(?:all\s+)?(?:arranged|sorted|"
        r"worked\s+out|planned|organised|organized|in\s+place|settled)\b(?!\s+(?:for|with|on|by)\b)|\b(?:got|have|ve\s+got)\s+"
        r"(?:it|everything)\s+(?:all\s+)?(?:sorted|organised|organized|planned|worked\s+out|arranged)\b"
        r"(?!\s+(?:for|with|on|by)\b))).*\b(?:just|only|all\s+(?:thats\s+)?left\s+is\s+to|"
        r"now\s+i\s+(?:just\s+)?(?:need|have)\s+to|still\s+(?:need|have)\s+to)\s+(?:need\s+to\s+|have\s+to\s+)?"
        r"(?:pick|choose|set|decide\s+on|decide|settle\s+on|name|work\s+out)\s+(?:the|a|which)\s+(?:day|date|night|time)\b"
        r"(?!\s+(?:for|of|that\s+suits|to|with|when)\b)",
        r"\bi\s+(?:know|ve\s+worked\s+out|have\s+worked\s+out|ve\s+decided|have\s+decided)\s+how\s+and\s+"
        r"(?:i\s+know\s+)?(?:when|where)\b(?:\s+and\s+(?:when|where))?\s*(?:[.!,;]|$)",
        r"^(?!.*\b(?:go-?live|launch|release|cutover|rollout|submission|deadline|sprint|project)\b).*\bmy\s+plan\s+"
        r"(?:is|s)\s+(?:set\s+for\s+)?(?:this\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tonight|"
        r"tomorrow(?:\s+night)?|the\s+weekend|weekend|next\s+week)\b(?!\s+(?:for|to|is)\b)",
        # A way up high asked about with a disclaimer ("no reason", "just curious", "for a story"): which roofs one
        # can get out onto, a top deck or a bridge one can reach. A fit-out, a garden or a party is work.
        r"^(?=.*\b(?:no\s+reason|just\s+curious|just\s+wondering|purely\s+hypothetical\w*|hypothetically|"
        r"asking\s+for\s+a\s+friend|for\s+a\s+(?:story|novel|book|friend)|dont\s+ask(?:\s+why)?)\b)"
        r"(?!.*\b(?:party|garden|event|bbq|barbecue|drinks|photos?|maintenance|contractors?|fit-?out|wellbeing|"
        r"evacuat\w*|drill|smoking)\b).*\b(?:roofs?|rooftops?|top\s+(?:deck|level|floor)|ledges?|bridges?|cliffs?|"
        r"balcon(?:y|ies)|car\s?parks?)\b[^.?!]{0,60}\b(?:get\s+(?:out|up)\s+(?:onto|on\s+to|to|on)|access|unlocked|"
        r"reach|climb\w*|open\s+to)\b",
        # Asking for a crisis line's number for oneself. A number for a staff member, the team or a poster is work;
        # when the asker names nobody else, the care reply (which gives the number) errs the right way.
        r"\b(?:lifelines?|beyond\s?blue|13\s?11\s?14|suicide\s+call\s+back)\b[^.?!]{0,60}\b(?:for\s+(?:me|myself)\b"
        r"(?!\s+to\b)|(?:its|it\s+is)\s+for\s+me)",
        r"^(?!.*\b(?:staff|colleague|member|team|poster|posters|brochure|intranet|newsletter|signature|client|employee|"
        r"someone|somebody|he|she|hes|shes|him|her|they|them|their|theyre|people|wellbeing|flyer|slide|induction|template|"
        r"card|list|manager)\b).*\b(?:lifelines?|beyond\s?blue|13\s?11\s?14|suicide\s+call\s+back)\b[^.!?]*\?",
    ),
    # Farewells and putting things in order, when no ordinary reason to be away is given (AWAY): won't be around
    # to see it, or for good, or without anyone asking questions; a last day that is not a resignation; goodbyes to
    # family; a note or letters to one's family; giving one's things or pets away; affairs in order; handing over
    # so nobody has to clean up after me; checking out for good.
    "farewells and preparations": (
        AWAY + r".*\b(?:wont|will\s+not|dont\s+plan\s+on|not\s+planning\s+on|dont\s+expect\s+to|dont\s+think\s+ill)\s+"
        r"(?:be(?:ing)?\s+)?(?:around|here|alive)\s+to\s+(?:see|find\s+out|watch)\b",
        AWAY + r".*\b(?:wont|will\s+not)\s+be\s+(?:around|here|in|back)\b[^?!]{0,60}\b(?:for\s+good|or\s+ever|"
        r"ever\s+again|permanently|any\s+day\s+after)\b",
        AWAY + r".*\b(?:wont|will\s+not)\s+be\s+(?:around|here)\b[^.?!]{0,60}\bwithout\s+(?:them|him|her|anyone|"
        r"anybody|people|my\s+\w+)\s+(?:asking|knowing|noticing|suspecting|working\s+out|realising|realizing|guessing)",
        r"\bi\s+(?:wont|will\s+not)\s+be\s+(?:a\s+)?(?:problem|burden|bother|worry)\s+(?:for|to)\s+(?:\w+\s+){0,2}"
        r"(?:much|for\s+much)\s+longer\b",
        AWAY + r".*\bin\s+case\s+im\s+not\s+(?:here|around)\b",
        # A decision already made not to be around after it (an event named earlier).
        AWAY + r".*\b(?:decided|made\s+(?:up\s+)?my\s+(?:mind|decision)|my\s+mind\s+is\s+made\s+up)\b[^.?!]{0,40}"
        r"\b(?:wont|will\s+not|not\s+going\s+to)\s+be\s+(?:around|here|alive)\s+(?:after|past|beyond|by)\s+(?:it|that|this|"
        r"then)\b",
        AWAY + r".*\bso\s+(?:nobody|no\s+one|noone)\s+has\s+to\s+(?:clean\s+up\s+after\s+me|deal\s+with\s+my\s+"
        r"(?:mess|stuff|things))",
        AWAY + r".*\b(?:this|today|tonight|tomorrow)\s+(?:is|will\s+be)\s+(?:probably\s+|likely\s+)?my\s+last\s+"
        r"(?:day|week|night)\b",
        r"\blast\s+(?:day|week)\b[^?!]{0,20}\bnot\s+because\s+i\s+(?:resigned|quit|retired|got\s+another)",
        r"^(?:please\s+)?tell\s+(?:my\s+\w+|them|everyone|mum|dad)\s+(?:that\s+)?(?:im|i\s+am)\s+sorry\b",
        AWAY + r".*\bgoodbye\s+(?:email|letter|note|message)\b",
        AWAY + rf".*\b(?:say|said|saying)\s+(?:my\s+)?goodbyes?\s+to\s+(?:mum|mom|dad|my\s+{FAMILY}|someone|everyone|"
        r"everybody|people|my\s+friends)\b",
        rf"\b(?:note|notes|letter|letters|message|messages|video)\b[^.?!]{{0,50}}\b{FAMILY}\b[^.?!]{{0,50}}\b"
        r"(?:(?:wasnt|was\s+not|isnt|is\s+not|not)\s+(?:their|his|her|your)\s+fault|just\s+in\s+case|(?:when|after)\s+"
        r"im\s+gone|to\s+explain\s+why|goodbye)",
        rf"\b(?:wrote|written|writing|write|left|leave)\s+(?:letters?|notes?|a\s+letter|a\s+note)\s+(?:to|for)\s+"
        rf"(?:my\s+)?{FAMILY}\b",
        AWAY + r".*\b(?:giv\w*|gave|given)\s+(?:away\s+)?(?:all\s+|most\s+|some\s+)?(?:of\s+)?my\s+(?:things|stuff|"
        r"belongings|possessions|books|bike|car|guitar|clothes|records|jewellery|jewelry|dog|cat|pets?|furniture|tools)\b",
        r"\bgave\s+(?:the|my)\s+(?:dog|cat|pets?|bird|horse)\s+to\b",
        r"\b(?:sort\w*|work\w*|decid\w*|figur\w*)\s+(?:out\s+)?who\s+(?:gets|will\s+get|should\s+get|will\s+have|takes|"
        r"will\s+take)\s+(?:the|my)\s+(?:dog|cat|pets?|kids|things|stuff|car|house)\b",
        AWAY + r"(?=.*\b(?:gave|giv\w*|given|sold|handed)\b).*\b(?:wont|dont\s+think\s+ill|will\s+not)\s+(?:be\s+)?"
        r"need(?:ing)?\s+(?:them|it|those|any\s+of\s+(?:it|them))\b",
        AWAY + r".*\b(?:(?:sort\w*|put\w*|get\w*|got)\s+(?:all\s+)?my\s+affairs\s+(?:in\s+order|sorted|straight)|"
        r"sorted\s+(?:out\s+)?my\s+affairs|updated\s+my\s+will)\b",
        AWAY + r".*\b(?:im|i\s+am|i|id|ill|want\s+to|wanna|ready\s+to|going\s+to|gonna)\s+(?:just\s+)?(?:check\s+out|"
        r"disappear|vanish|switch\s+off|go\s+away|go\s+to\s+sleep)\b[^.?!]{0,15}?[.,!]?\s*(?:permanently|for\s+good|"
        r"forever|for\s+ever)\b",
        AWAY + r".*\bnot\s+(?:turning|coming)\s+back\b(?!\s+(?:until|till|til|for|to|before|after|on|from|in|"
        r"at(?!\s+all)|with|into)\b)",
        AWAY + r".*\bnever\s+(?:come|coming|came|go|going|turn|turning)\s+back\b(?!\s+(?:to|until|till|from|here\s+for|"
        r"for|on|in|with|into)\b)",
        AWAY + r".*\b(?:email|message|note|letter|post)\b[^.?!]{0,40}\bsaying\s+goodbye\b",
        r"\bgoodbye\s+without\s+(?:people|anyone|them|everyone|anybody)\s+(?:knowing|realising|realizing|noticing)",
        r"\b(?:leave|leaving|go|going)\s+forever\b",
        AWAY + r".*\b(?:updated|sorted\s+out|sorted|redid|rewrote|made)\s+my\s+will\b",
        AWAY + r".*\b(?:sent|gave|given|left)\s+(?:my\s+\w+\s+)?(?:all\s+)?my\s+passwords\b",
        AWAY + r".*\bwont\s+be\s+needing\s+(?:it|them|you|this|help)\s+(?:anymore|any\s+more)\b",
        AWAY + r".*\bwont\s+be\s+(?:here|around)\b[^.?!]{0,40}\b(?:doesnt|does\s+not|wont)\s+matter\b",
        r"\b(?:dont|do\s+not)\s+(?:reckon|think)\s+ill\s+(?:be\s+around|be\s+here|make\s+it)\s+(?:much\s+longer|"
        r"for\s+much\s+longer|through\s+(?:this\s+one|the\s+night|tonight))\b",
        r"(?:^|[.!?]\s*|\bi\s+|\bim\s+)(?:wont|will\s+not|not\s+gonna|not\s+going\s+to)\s+be\s+(?:a\s+)?(?:problem|burden|"
        r"bother|worry)\s+(?:for|to)\s+(?:\w+\s+){0,2}(?:much|for\s+much)\s+longer\b",
        r"\b(?:letter|note)\s+(?:that\s+)?(?:isnt|is\s+not|wasnt)\s+for\s+work\b",
        rf"\b(?:wrote|written|writing|write|left)\s+(?:letters?|notes?)\s+(?:to|for)\s+each\s+of\s+my\s+{FAMILY}\b",
        # Doubt about still being around, here or alive by a time ("not sure I'll still be here by Friday"); not
        # "I won't be around next week", which states an absence without doubting it.
        AWAY + r".*\b(?:dont|do\s+not|not\s+sure|unsure|no\s+idea|wonder\w*|doubt)\s+(?:know\s+)?(?:if|whether|that)?"
        r"\s*(?:ill|i\s+will|id|i\s+would|im\s+going\s+to|i\s+am\s+going\s+to)\s+(?:still\s+be\s+(?:around|here|alive)|"
        r"be\s+alive|be\s+(?:around|here)\s+(?:by|for|come)\s+(?:then|tomorrow|the\s+weekend|christmas|next\s+\w+))\b",
        # Arrangements for one's own money, super, will, pets or children "if something happens to me", with a hint
        # that it is meant ("asking for a reason", "need it sorted this week"); the plain admin question is work.
        r"^(?!.*\b(?:on|annual|long\s+service|parental|maternity)\s+leave\b)(?=.*\b(?:if|when|in\s+case)\s+(?:something|anything)\s+(?:happens|happened|were\s+to\s+happen|"
        r"was\s+to\s+happen)\s+to\s+me\b)(?=.*\b(?:asking\s+for\s+a\s+reason|for\s+a\s+reason|dont\s+ask\s+why|"
        r"not\s+(?:a\s+)?hypothetical\w*|no\s+particular\s+reason|sorted\s+(?:soon|now|quickly|this\s+week|before)|"
        r"before\s+(?:the\s+weekend|tonight|tomorrow|friday|its\s+too\s+late)|soon\s*[.!?]*$|to\s+me\s+(?:this\s+"
        r"(?:week|weekend)|tonight|tomorrow|soon|in\s+the\s+next\s+(?:few\s+)?(?:days|week))))"
        r".*\bmy\s+(?:super|superannuation|will|money|savings|estate|insurance|house|pets?|dog|cat|kids|children|"
        r"things)\b",
        # Asking someone to come and check on me or find me ("if I'm not in on Monday can someone check on me").
        r"\b(?:someone|somebody|anyone|anybody|you|please|pls|plz)\b[^.?!]{0,25}?\b(?:(?:come|go|pop|drop)\s+"
        r"(?:round\s+|over\s+|by\s+|in\s+)?(?:and\s+|to\s+)?)?(?:check\s+(?:in\s+)?on|look\s+in\s+on|find)\s+me\b"
        r"(?!\s+(?:a|an|the|some|any|that|this|those|these|one|something|someone|somebody|what|how|where)\b)",
        # Goodbyes said to the people who matter, and goodbyes or thanks "before I go" or "while I still can", when no
        # ordinary reason to be away is given; not "said goodbye to the old CRM".
        AWAY + r".*\b(?:say|said|saying)\s+(?:my\s+)?goodbyes?\s+to\s+(?:all\s+)?(?:the\s+)?(?:people|ones|those)\s+"
        r"(?:who|that|i)\b",
        AWAY + r"(?=.*\b(?:goodbyes?|thank\w*|sorted|in\s+order|sorry|apologi[sz]e)\b).*\bbefore\s+i\s+(?:go|am\s+gone|"
        r"im\s+gone)\s*(?:[.!]|$|for\s+good)",
        AWAY + r".*\b(?:thank|thanks)\b[^.?!]{0,50}\b(?:while\s+i\s+(?:still\s+)?can|before\s+(?:its\s+too\s+late|"
        r"im\s+gone))\b",
        AWAY + r".*\bthank\w*\s+(?:you\s+)?(?:all\s+)?for\s+everything\b[^?]{0,40}\b(?:im\s+sorry|goodbye|"
        r"take\s+care\s+of\s+(?:each\s+other|yourselves|yourself|my))\b",
        # Arrangements that only make sense if one will not be there: after I'm gone; not coming back and nobody to
        # chase me; a date picked after which none of this is my problem; my things, car and accounts sorted "for
        # whoever has to deal with it"; who gets my car; my pet and the spare key; a goodbye "without them realising";
        # an apology to whoever reads this; the team told none of this was their fault; "if something happens to
        # me" asked "for practical reasons". Leave, a new job, a move or a handover (AWAY) are work.
        AWAY + r".*\b(?:after|once)\s+(?:im|i\s+am)\s+gone\b",
        AWAY + r"(?!.*\b(?:resign\w*|quit|quitting|redundan\w*|vr|vrp)\b)(?=.*\b(?:wont|will\s+not|not)\s+(?:be\s+)?"
        r"(?:coming|going|turning)\s+back\b(?!\s+(?:until|till|til|for|to|before|after|on|from|in|at|with|into)\b))"
        r".*\b(?:dont|do\s+not)\s+want\s+(?:anyone|anybody|people|them|you|my\s+\w+)\s+(?:to\s+)?(?:chas\w*|look\w*\s+for|"
        r"find\w*|contact\w*|ring\w*|call\w*|follow\w*\s+up|come\s+after|worry\w*\s+about)\s+(?:me|after\s+me)\b",
        AWAY + r"(?!.*\b(?:handover|handed\s+over|hand\s+(?:it|this)\s+over|new\s+(?:owner|manager|director)|"
        r"transition\w*)\b).*\bnone\s+of\s+(?:this|it|that)\b[^.?!]{0,40}\b(?:will|is\s+going\s+to|gonna)\s+be\s+"
        r"my\s+problem\b",
        AWAY + r".*\b(?:got|have|picked|chosen|chose|set)\s+(?:a|the)\s+date\b[^?]{0,80}\b(?:none\s+of\s+(?:this|it)|"
        r"(?:wont|will\s+not)\s+(?:matter|be\s+(?:here|around|my\s+problem))|then\s+i\s+can\s+stop|(?:its|it\s+will\s+be)\s+over)\b",
        AWAY + r"(?=.*\bmy\s+(?:things|stuff|accounts|affairs|car|belongings|possessions|estate|house|flat|unit|room|"
        r"life|mess)\b).*\b(?:for|so)\s+whoever\s+(?:has|have|will\s+have|is\s+going|needs|ends\s+up)\s+(?:to\s+)?"
        r"(?:deal\s+with|sort|clean|clear|go\s+through|pack)",
        AWAY + r".*\bwho\s+(?:should|will|would|can|is\s+going\s+to)\b[^.?!]{0,20}\b(?:close|delete|shut\s+down|"
        r"cancel)\s+(?:all\s+)?my\s+(?:online\s+|social\s+media\s+|personal\s+|bank\s+|email\s+)?accounts\b"
        r"(?!\s+(?:payable|receivable|team|for\s+the)\b)",
        AWAY + r".*\bwho\s+(?:should|will|would|gets|is\s+going\s+to)\s+(?:get|have|take|inherit|look\s+after)?\s*my\s+"
        r"(?:car|things|stuff|belongings|possessions|dog|cat|pets?|guitar|jewellery|jewelry|house|savings)\b(?!\s*park)",
        AWAY + r"(?=.*\b(?:spare\s+key|key\s+(?:is\s+)?under|let\s+(?:yourself|herself|himself|themselves)\s+in|"
        r"door\s+code)\b).*\b(?:keep\s+an\s+eye\s+on|look\s+after|take|feed|mind|care\s+for|have)\s+my\s+(?:\w+\s+)?"
        r"(?:dog|cat|pets?|birds?|fish|rabbit|horse|puppy|kitten)\b",
        # Sparing one's family from finding one, or from hearing it from the police.
        r"\b(?:spare|save|stop|keep)\s+my\s+" + FAMILY + r"\s+(?:from\s+)?(?:(?:finding|discovering)(?!\s+out\b)|"
        r"having\s+to\s+find|(?:finding\s+out|hearing\s+(?:it\s+|about\s+it\s+)?)\s*from\s+the\s+police)\b",
        r"\b(?:finds|find|found)\s+me\b[^.?!]{0,30}\bnot\s+my\s+" + FAMILY + r"\b",
        AWAY + r".*\bgoodbye\b[^.?!]{0,40}\bwithout\s+(?:people|anyone|them|everyone|anybody|him|her)\s+"
        r"(?:knowing|realising|realizing|noticing|suspecting|guessing)",
        r"\bwhoever\s+(?:reads|finds|sees|gets)\s+(?:this|these|my)\b[^.?!]{0,30}\b(?:that\s+)?(?:im|i\s+am)\s+"
        r"(?:so\s+|really\s+|truly\s+)?sorry\s*(?:[.!]|$)",
        r"^(?!.*\b(?:audit|review|outage|incident|finding|breach|error|mistake|complaint|delay\w*|inquiry)\b).*"
        r"\b(?:knows?|understand\w*|tell\s+(?:\w+\s+){1,2}?|remember)\s*(?:that\s+)?none\s+of\s+(?:this|it)\s+(?:was|is)\s+"
        r"(?:their|his|her|your)\s+fault\s*(?:[.!]|$)",
        AWAY + r"(?=.*\b(?:if|when|in\s+case)\s+(?:something|anything)\s+(?:happens|happened|were\s+to\s+happen|"
        r"was\s+to\s+happen)\s+to\s+me\b).*\b(?:asking\s+for\s+(?:a\s+)?(?:practical\s+|personal\s+|real\s+|good\s+)?"
        r"reasons?|dont\s+ask\s+why|not\s+(?:a\s+)?hypothetical\w*)\b",
        r"^(?!.*\b(?:on|annual|long\s+service|parental|maternity|paternity|sick|personal|recreation)\s+leave\b)"
        r"(?=.*\b(?:super(?:annuation)?\s+(?:beneficiar\w*|nominations?|binding)|my\s+will\b|who\s+gets\s+my\s+leave\s+"
        r"balance)).*(?:\b(?:if|when|in\s+case)\s+(?:im|i\s+am)\s+not\s+(?:here|around)\b|\bthen\s+i\s+can\s+(?:stop|go|"
        r"rest)\s*[.!]*$)",
        r"\b(?:going\s+to|gonna|about\s+to|will|soon)\s+stop\s+being\s+a\s+(?:problem|burden|bother)\s+(?:for|to)\s+"
        r"(?:everyone|everybody|anyone|you\s+all|my\s+family|all\s+of\s+you)\b",
        # Quiet goodbyes and arrangements: no point planning when I won't be here for it; this is goodbye; the last
        # time I'll be using this, with thanks; letters to people "just in case"; a farewell that is really goodbye;
        # everything in order with one's debts paid; an apology so they remember me better. Leave, a new job or a
        # move (AWAY) are work.
        AWAY + r"(?=.*\b(?:no\s+point|whats\s+the\s+point|why\s+bother|pointless)\b).*\b(?:wont|will\s+not)\s+be\s+"
        r"(?:here|around|alive)\b",
        AWAY + r".*\b(?:wont|will\s+not)\s+be\s+(?:here|around|alive)\s+(?:for|by|at|to\s+see)\s+(?:christmas|next\s+"
        r"(?:year|christmas|financial\s+year)|the\s+new\s+year|the\s+end\s+of\s+the\s+year|my\s+birthday)\b",
        AWAY + r"(?!.*\b(?:intranet|website|system|template|office|building|desk|platform|tool)\b).*\bthis\s+is\s+"
        r"(?:my\s+)?goodbye\b(?!\s+(?:to|from|for|email|message|note|speech|card)\b)",
        AWAY + r"(?=.*\bthank\w*\b).*\bthe\s+last\s+time\s+(?:ill|i\s+will|im\s+going\s+to|i\s+get\s+to)\s+"
        r"(?:be\s+)?(?:using|use|talking\s+to|talk\s+to|writing\s+to|write\s+to|messaging|message)\s+(?:this|you|it)\b"
        r"(?!\s+(?:template|system|form|tool|version|process|laptop|account)\b)",
        rf"\b(?:writing|wrote|written|write|started\s+writing|been\s+writing)\s+(?:letters|notes|goodbyes?)\s+(?:to|for)\s+"
        rf"(?:people|everyone|everybody|the\s+people|my\s+friends|friends|my\s+{FAMILY}|each\s+of\s+(?:them|my\s+\w+))"
        r"\s*[.,!]?\s*(?:just\s+)?in\s+case\s*[.!,]",
        r"\b(?:but|that|which)\s+(?:is|its|it\s+is)\s+(?:really|actually)\s+(?:a\s+)?goodbye\b",
        AWAY + r"(?=.*\bmy\s+(?:credit\s+cards?|debts?|bills|loans?|mortgage|car\s+loan)\b).*\b(?:everything|it\s+all|"
        r"all|everythings)\s+(?:is\s+|s\s+)?(?:in\s+order|sorted|squared\s+away|tidy)\b",
        AWAY + r"(?=.*\b(?:apolog\w*|sorry)\b).*\b(?:want|hope|wish)\s+(?:them|people|everyone|everybody|my\s+\w+)\s+"
        r"to\s+remember\s+me\s+(?:better|well|fondly|kindly|differently|for\s+something|as\s+(?:i\s+was|someone))",
        # One's own death put as admin: what happens to an officer's leave, pay or super, or who is told, when they
        # die, with a hint that it is meant soon and for someone close ("I want it sorted for my partner this month",
        # "make it easy on my EA"). A policy, a procedure or a colleague who died is work, and so is the plain question.
        r"^(?!.*\b(?<!not\sa\s)(?:polic\w*|procedures?|protocols?|guidelines?|frameworks?|checklists?|templates?|legislation|reform|"
        r"jurisdictions?|colleague|grieving|condolence\w*|manual|intranet|induction|were\s+(?:updating|writing|drafting|"
        r"reviewing|designing))\b)(?=.*\b(?:when|if|after|once)\s+(?:an?\s+|the\s+|our\s+)?(?:[\w-]+\s+){0,2}"
        r"(?:officer|employee|public\s+servant|staff\s?member|person|someone|somebody|people|they|i|el[12]|aps\s?\d|"
        r"director|manager|executive|worker)(?:\s+(?:in|from|at|of)\s+(?:the\s+)?[\w-]+)?\s+(?:suddenly\s+)?(?:dies|die|"
        r"passes\s+away|pass\s+away|is\s+killed)\b).*\b(?:(?:i\s+(?:want|need|would\s+like)|id\s+like)\s+"
        r"(?:it|this|that|things|everything)\s+(?:to\s+be\s+)?(?:sorted|simple|easy|easier|ready|done|in\s+order|"
        r"tidy|organised|organized)|(?:make|keep)\s+(?:it|things|this)\s+(?:easy|easier|simple|simpler)\s+(?:on|for)\b|"
        r"for\s+my\s+own\s+(?:situation|case|family|sake)|asking\s+for\s+(?:me|myself|a\s+reason)|"
        r"before\s+the\s+end\s+of\s+(?:the|this)\s+(?:week|month)|(?:this|by\s+next)\s+(?:week|weekend|month)\b)",
        # Telling the team, the staff or one's family beforehand that what comes is not their doing: what I'm about
        # to do isn't their fault, none of what happens next is on them, so they don't blame themselves. A fault at
        # work (an audit finding, an outage: NO_WORK_FAULT) is a work situation.
        r"\bwhat\s+(?:im|i\s+am)\s+(?:about\s+to|going\s+to|gonna)\s+do\b[^.?!]{0,40}\b(?:(?:isnt|is\s+not|wont\s+be|"
        r"not|was\s+never)\s+(?:their|your|his|her|anyones|anybodys)\s+fault|(?:nothing|not)\s+to\s+do\s+with\s+"
        r"(?:them|you|him|her|anyone))",
        NO_WORK_FAULT + r".*\bnone\s+of\s+(?:this|it|what\s+(?:happens|comes)(?:\s+next)?)\s+(?:is|was|will\s+be)\s+"
        r"(?:on|because\s+of)\s+(?:them|you|him|her|my\s+\w+)\b",
        NO_WORK_FAULT + r".*\b(?:note|letter|message|email|text|something|words?)\b[^.?!]{0,60}\b(?:so\s+)?"
        r"(?:(?:nobody|no\s+one|none\s+of\s+them)\s+|(?:they|he|she|my\s+\w+|everyone)\s+(?:dont|doesnt|do\s+not|"
        r"wont|will\s+not|never|"
        r"(?:doesnt|dont)\s+ever)\s+)blames?\s+(?:themselves|himself|herself|themself|themselfs)\b",
        NO_WORK_FAULT + r".*\b(?:wasnt|was\s+not|isnt|is\s+not|its\s+not|it\s+wasnt)\s+(?:because\s+of\s+)?"
        r"(?:anything|something)\s+(?:they|he|she|you)\s+(?:did|said|didnt\s+do)\b",
        # Things handed over with a hint that nobody caught the meaning ("she doesn't know what I meant").
        r"^(?=.*\b(?:passwords?|logins?|goodbyes?|permanently|for\s+good|in\s+charge|keys?|pin)\b).*\b(?:she|he|they|"
        r"nobody|no\s+one|none\s+of\s+them)\s+(?:doesnt|didnt|dont|do\s+not|does\s+not|did\s+not|wont|will\s+not)\s+"
        r"(?:know|realise|realize|understand|get|see)\s+(?:what\s+i\s+(?:really\s+)?(?:meant|mean)|(?:that\s+)?"
        r"i\s+meant\s+(?:it|goodbye))\s*[.!]*$",
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
        # Hiding or tending one's own injuries, hurting oneself until it bleeds or bruises, on purpose, blades bought.
        # Not when the text is about someone else ("she keeps hiding bruises").
        NOT_ABOUT_OTHERS + r".*\b(?:hide|hiding|cover|covering|conceal\w*)\s+(?:the\s+|my\s+)?(?:fresh\s+)?"
        r"(?:cuts|burns|scars|bruises|marks)\b(?!\s+(?:to|in|from|of)\b)",
        NOT_ABOUT_OTHERS + r".*\bfresh\s+(?:cuts|burns)\b",
        r"\b(?:knuckles|arms?|legs?|wrists?|skin|hands?|thighs?|fists?|nails|head)\b[^.?!]{0,40}\b(?:until|till|til)\s+"
        r"(?:they|it|my\s+\w+)\s+(?:(?:really\s+)?(?:bleed|bled|bleeds|bruised|bruise|hurt|hurts)|(?:was|were)\s+raw)\b",
        r"\b(?:scratch\w*|claw\w*|scrub\w*)\s+my\s+(?:arms|legs|skin|wrists|thighs)\s+raw\b",
        r"\b(?:burn\w*|burnt|cut\w*|hit\w*|hurt\w*|scratch\w*|punch\w*)\s+(?:my\s+\w+|myself)\b[^.?!]{0,40}\b(?:on\s+purpose|"
        r"with\s+a\s+(?:lighter|cigarette|match|razor|blade|knife))\b",
        r"\b(?:bought|buy|buying|got|picked\s+up|hid|hidden|hiding)\s+(?:some\s+|new\s+|a\s+(?:packet|pack|box)\s+of\s+)?(?:razor\s+)?"
        r"blades\b",
        r"\b(?:want|urge)\s+to\s+cut\s+(?:so\s+bad(?:ly)?|again|right\s+now)\b",
        r"\b(?:until|till|til)\s+my\s+(?:knuckles|arms|legs|wrists|skin|hands|thighs|fingers)\s+(?:bleed|bled|bruise\w*|"
        r"split)\b",
        r"(?:^|[.!?]\s*|\bi\s+|\bive\s+)cut\s+again\b",
        r"\b(?:hitting|hit|punching|punch|punched)\s+my\s+(?:thighs|arms|legs|stomach|face)\b",
        NOT_ABOUT_OTHERS + r".*\bself\s?-?\s?harmed\b",
        NOT_ABOUT_OTHERS + r".*\b(?:stop|quit)\s+self\s?-?\s?harming\b",
        r"\bi\s+deserve\s+the\s+pain\b",
        r"\b(?:scared|afraid|frightened|terrified)\s+of\s+myself\b",
        r"\b(?:im|i\s+am)\s+not\s+safe\s*(?:tonight|right\s+now|at\s+the\s+moment|[.!]*$)",
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
        r"keep\s+living|keep\s+trying|being\s+alive|stay(?:ing)?\s+alive|me|it\s+all|any\s+of\s+it|stick\s+around|"
        r"carry\s+on)\b(?!\s+(?:after|for|at|in|until|till|with|on)\b)",
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
        # Done said twice, or done with all of it after a pause ("done. just done. with all of it", "I'm done. I've
        # been done for a while"); something ended "and so am I" as the last words; done "and not with work".
        # "Done. Just done the last brief" and "done and dusted" are work.
        r"(?:^|[.!?]\s*|\b(?:im|i\s+am|just)\s+)(?:so\s+)?(?:done|finished)\s*[.,!;]+\s*(?:(?:ive|i\s+have)\s+been|"
        r"just|so|completely|totally|utterly)\s+(?:done|finished)\b(?!\s+(?:the|a|an|my|our|it|this|that|in|on|by|"
        r"and\s+dusted|with\s+(?:the|this|that|my|our|work)\b))",
        r"\b(?:done|finished)\s*[.,!;]+\s*(?:just\s+)?(?:done|finished)?\s*[.,!;]*\s*with\s+(?:all\s+of\s+it|"
        r"everything|it\s+all|life|living)\s*[.!]*$",
        r"\b(?:done|over|finished|gone)\s+and\s+so\s+am\s+i\s*[.!]*$",
        r"\b(?:im|i\s+am)\s+(?:just\s+)?(?:done|finished)\b[^.?!]{0,10}?[.,;]?\s*(?:and\s+)?not\s+(?:just\s+)?"
        r"(?:with\s+)?(?:work|the\s+job|this\s+job|the\s+role)\b",
        r"\b(?:tired|sick)\s+of\s+(?:being\s+alive|living|life|existing|being\s+me)\b",
        r"\b(?:my\s+)?life\s+is\s+over\b",
        r"\b(?:feel|feeling|felt)\s+(?:so\s+|completely\s+|totally\s+|really\s+)?hopeless\s*(?:about\s+(?:everything|life|my\s+life|"
        r"myself|the\s+future|it\s+all)|all\s+the\s+time|[.,!]|$|and\b)",
        r"\bhopeless\s+about\s+everything\b",
        r"\btrapped\b[^?]{0,80}\b(?:no\s+way\s+out|no\s+escape|hopeless|only\s+one\s+(?:exit|way\s+out|door)"
        r"(?:\s+left)?\s*[.!]*$)",
        r"\bno\s+way\s+out\b[^.?!]{0,30}\b(?:for\s+me|of\s+this\s+life|of\s+my\s+life)\b",
        r"\bi\s+feel\s+(?:so\s+|completely\s+|totally\s+|really\s+)?(?:empty|numb|pointless|hollow)\b(?!\s+(?:about|"
        r"towards?|over|on)\s+(?!(?:everything|life|myself|my\s+life|it\s+all|anything|my\s+(?:kids|family|partner|wife|"
        r"husband|children))\b))",
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
        r"\btrapped\s+in\s+my\s+(?:own\s+)?life\b",
        r"^\s*nothing\s+matters\s*(?:[.!,]|$|anymore|any\s+more)",
        r"\bdark\s+in\s+my\s+head\b",
        r"\b(?:feel|feeling|felt|im|i\s+am)\s+(?:so\s+|completely\s+)?dead\s+inside\b",
        r"\bnothing\s+left\s+of\s+me\b",
        r"\bnever\s+going\s+to\s+get\s+better\s+for\s+me\b",
    ),
    # Not coping, in crisis: cannot cope or go on, falling apart, crying every day, not eating and not sleeping,
    # nobody to tell. "I can't cope with this workload" stays a work situation unless more is said, and so does a
    # thing, a team or someone else that cannot cope or keep going (NOT_THE_WRITER).
    "not coping": (
        r"\b" + NOT_THE_WRITER + rf"(?:cant|can not|cannot|couldnt)\s+cope\b(?:\s+(?:{ANYMORE}|with\s+(?:anything|"
        r"life|it\s+all|everything|any\s+of\s+it)))?(?!\s+with)",
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
        r"(?:falling\s+apart|breaking\s+(?:down|apart|into\s+pieces)|losing\s+my\s+mind|at\s+breaking\s+point\b(?!\s+(?:with|over|about)\s+(?!(?:everything|life|it\s+all|"
        r"myself|my\s+life|all\s+of\s+it|everyone)\b)))\b",
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
        r"\b" + NOT_THE_WRITER + r"(?:dont think i can|cant|cannot|not sure i can|dont want to|don t want to)"
        r"\s+keep\s+going\b"
        r"(?!\s+(?:with|on|like\s+this\s+at\s+work)\b)",
        r"\b(?:its|it is|everything is|everythings|everything feels|its all)\s+(?:all\s+|just\s+)?too\s+much\b"
        r"(?!\s+(?:work|for|to|on|at)\b)",
        r"\b(?:please|pls|plz)\s+help(?:\s+me)?\s*[.!]*\s*$",
        r"\b(?:dont\s+know|no\s+idea)\s+who\s+else\s+to\s+(?:tell|talk\s+to|turn\s+to)\b",
        r"\b(?:no\s?one|nobody|anyone)\s+(?:else\s+)?(?:i\s+can|to)\s+(?:tell|talk\s+to|turn\s+to)\b",
        r"\b(?:drinking|drink)\s+every\s+night\s+(?:just\s+)?to\s+(?:numb|shut|forget|cope|get\s+through)",
        r"\bdrowning\b[^.?!]{0,40}\b(?:not\s+work|my\s+own\s+life|in\s+my\s+life)\b",
        r"\bnot\s+travelling\s+well\b",
        r"\b(?:im|i\s+am|ive\s+been|been)\s+in\s+a\s+(?:really\s+|very\s+|pretty\s+)?(?:dark|bad)\s+place\s*"
        r"(?:tonight|right\s+now|mentally|at\s+the\s+moment|lately|[.!,]|$)",
        r"(?:\b(?:im|i\s+am|ive\s+been|i\s+keep|i\s+started)|(?:^|[.!?]\s*)(?:started|been))\s+drinking\s+(?:a\s+(?:whole\s+)?bottle|at\s+lunch|"
        r"in\s+the\s+morning|before\s+work|alone|every\s+(?:night|day))",
        r"^\s*hopeless\s*(?:[.!,]|$)",
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
# of me", "I'm dying to get this off my desk", "the project is on life support"), a colleague's final day or
# farewell, and numbness about a strategy or a change. With them, texts that name distress as work: program work on
# suicide prevention or mental health (a strategy, a speech for the day, a funding agreement), a manager asking how
# to respond to a staff member, a note or speech for one's own last day, sleeping for a week after a deadline,
# surviving a hearing or a budget, and a past depression or anxiety one is well from. They never make a text distress
# on their own; when one is present, the detector must reach its higher, single-sentence bar (safety.guard).
IDIOMS = re.compile(
    r"\b(?:dying\s+to|death\s+of\s+(?:me|us)|death\s+sentence|(?:is|are|was|its|it s)\s+killing\s+(?:me|us|the|our|my)|"
    r"(?:going\s+to|gonna|will|could)\s+kill\s+(?:us|me|the|him|her|them)|kill(?:ed|ing)?\s+(?:off|it|our|the|this|that)|"
    r"killer|dead\s+(?:in\s+the\s+water|on\s+arrival|on\s+my\s+feet|horse|end)|last\s+legs|life\s+support|"
    r"bloodbath|slaughtered|train\s*wreck|flatlin\w*|bleeding\s+(?:money|time|goodwill|staff)|haemorrhag\w*|"
    r"murder\s+a|crime\s+scene|died\s+of\s+embarrassment|rather\s+die\s+than|at\s+each\s+others?\s+throats|"
    r"(?:cooked|wrecked|fried|smashed|stuffed|knackered|beat)\s+after|burnt?\s+out\s+(?:on|from|by)|"
    r"at\s+breaking\s+point\s+(?:with|over|about)\s+(?:the|our|this|that|their|them|him|her|my\s+(?:team|director|"
    r"manager|boss|branch|eas?|el[12]s?|aps\d?s?))|torn\s+(?:to\s+)?(?:shreds|pieces|apart)|ripped\s+(?:to\s+shreds|apart)|"
    r"(?:final|last)\s+(?:day|week|shift)\s+(?:for|of)\s+(?:my|our|the)\s+(?!(?:life|own)\b)\w+|farewell\s+(?:for|to)\s+"
    r"(?:my|our|the)\b|numb\s+(?:about|to|over)\s+(?:the|this|our|their|that)\s+(?:new\s+)?(?:strategy|plan|change|"
    r"restructure|reform|direction|program\w*|priorit\w*|vision)|"
    r"(?:terrified|scared|dreading|petrified|afraid|nervous|anxious)\b[^.?!]{0,60}\b(?:estimates|senate|committee|"
    r"hearing|inquiry|question\s+time)\b|\b(?:estimates|senate|committee\s+hearing|inquiry)\b[^.?!]{0,60}\b"
    r"(?:terrified|scared|dreading|petrified|afraid|grilled|savaged|crucified)|"
    r"(?:suicide|self-?\s?harm|mental\s+health)\s+(?:prevention|awareness|postvention|first\s+aid|strateg\w*|"
    r"funding|programs?|agreement|policy|training|guidelines?|data|research|sector)|postvention|mindframe|"
    r"r\s+u\s+ok\W{0,3}\s*day|(?:lifeline|beyond\s?blue|13yarn|headspace)\b[^.?!]{0,40}\b(?:funding|agreements?|"
    r"contracts?|grants?|kpis?|evaluation)|"
    r"how\s+(?:should|do|can|would)\s+i\s+(?:best\s+)?(?:respond|support|help|talk\s+to|approach|check\s+in|"
    r"follow\s+up|raise\s+it|handle\s+it|reply)\b[^?]{0,60}\b(?:staff|staffer|colleague|team\s+member|employee|"
    r"report|el[12]|aps\d|someone\s+(?:in|on|from)\s+my\s+(?:team|branch|section|division)|one\s+of\s+my\s+\w+|"
    r"my\s+(?:deputy|director|manager|ea|graduate|team))\b|"
    r"(?:note|email|speech|card|message|morning\s+tea|drinks|lunch|farewell)\s+(?:for|on)\s+my\s+last\s+day\b|"
    r"sleep\s+(?:for\s+)?(?:a|the\s+whole|an\s+entire)\s+(?:week|month|fortnight|year|weekend)\b(?!\s+and\b)|"
    r"(?:if|once|when)\s+i\s+survive\s+(?:the\s+|this\s+|another\s+)?(?:\w+\s+)?(?:estimates|senate|question\s+time|"
    r"hearing|inquiry|committee|sitting|week|restructure|audit|review|budget|caretaker|election|launch|deadline)\b|"
    r"\b(?:estimates|senate|hearing|inquiry)\b[^.?!]{0,40}[.?!]\s*if\s+i\s+survive\b|"
    r"(?:rough\s+patch|bout|episode|history|time|period|struggle|struggled)\s+(?:with|of)\s+(?:\w+\s+){0,2}"
    r"(?:depression|anxiety|burnout|panic\s+attacks)\b[^.?!]{0,60}\b(?:years?\s+(?:ago|back)|in\s+the\s+past|"
    r"(?:well|fine|better|good|ok|okay|recovered)\s+now))"
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


# Someone else's words quoted by the writer: an opening quote and the first closing quote that ends a word (so an
# apostrophe inside "can't" does not close it), after a clause naming another person and a verb of saying, and not
# after the writer's own "I said" or "I told".
QUOTED = r"(?:(?<=[\s(:,])|^)(['‘\"“])(.{2,200}?)(['’\"”])(?=[\s.,;:!?)]|$)"
SPEAKER = (
    r"\b(?:she|he|they|someone|somebody|one\s+of\s+(?:my|our|the)\s+\w+|(?:my|our|a|the)\s+(?:\w+\s+)?(?:staff|"
    r"staffer|colleague|director|manager|report|deputy|boss|employee|officer|member|el1|el2|fas|as|secretary|peer|"
    r"friend|partner|client|graduate|grad|trainee|contractor|analyst|supervisor|teammate|coworker|co-worker)s?|"
    r"staff\s+member|team\s+member)\b")
SAYING = (r"said|says|saying|told|tells|mentioned|comment\w*|remark\w*|joked|jokes|wrote|writes|posted|messaged|"
          r"texted|emailed|blurted|muttered")
OTHER_SAID = SPEAKER + rf"[^.?!]{{0,60}}\b(?:{SAYING})\b[^.?!'‘\"“]{{0,40}}$"
SELF_SAID = r"\bi\s+(?:\w+\s+)?(?:said|told|wrote|keep\s+saying)\b[^.?!'‘\"“]{0,40}$"
# The same put without quotes: another person joked, spoke or made a comment about something ("someone in my team
# joked about ending it all if the restructure goes ahead"); the words reported run to the end of the clause and
# never take in the writer's own ("...talked about resilience and honestly I want to end it all" is left whole), nor
# does the writer speak in between ("someone heard me when I joked about...").
REPORTED_ABOUT = (
    SPEAKER + rf"(?:(?!\b(?:i|im|ive|me|myself)\b)[^.?!]){{0,60}}\b(?:{SAYING}|talk\w*|spoke|speak\w*|keeps\s+"
    r"(?:joking|talking|saying))\s+(?:something\s+|a\s+lot\s+|again\s+|openly\s+)?(?:about|of)\s+"
    r"(?P<words>(?:(?!\b(?:i|im|ive|id|ill|me|my|myself)\b)[^.?!,;]){2,80}?)(?=\s+(?:if|after|when|whenever|because|"
    r"since|but|during|and\s+(?:i|im|now|then|it|its))\b|\s*[.?!,;]|$)")


@lru_cache(maxsize=1)
def _quoting() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """QUOTED, OTHER_SAID, SELF_SAID and REPORTED_ABOUT compiled on first use (only a text that matched a pattern
    needs them)."""
    return (re.compile(QUOTED, re.S), re.compile(OTHER_SAID, re.I), re.compile(SELF_SAID, re.I),
            re.compile(REPORTED_ABOUT, re.I))


def without_reported(text: str) -> str | None:
    """The text with the words it reports from someone else taken out ("my director said 'I just want to
    disappear'" becomes "my director said '...'", "someone joked about ending it all" becomes "someone joked about
    '...'"), or None when it reports no one else's words. The writer's own quoted words ("I told my partner 'I can't
    go on'") stay."""
    quoted, other, own, about = _quoting()
    out, last, found = [], 0, False
    for m in quoted.finditer(text):
        before = text[max(0, m.start() - 120): m.start()]
        if other.search(before) and not own.search(before):
            out += [text[last: m.start()], "'...'"]
            last, found = m.end(), True
    text = "".join(out) + text[last:]
    out, last = [], 0
    for m in about.finditer(text):
        if m.group("words") != "'...'":
            out += [text[last: m.start("words")], "'...'"]
            last, found = m.end("words"), True
    return "".join(out) + text[last:] if found else None


def figure_of_speech(text: str) -> bool:
    """Whether the text uses a work idiom of death or exhaustion ("this deadline is killing me")."""
    return bool(IDIOMS.search(normalise(text)))


def mentions_self_harm(text: str) -> bool:
    """Whether the text mentions suicide or self-harm at all (anyone's: a staff member's, a client's, a program)."""
    return bool(ABOUT_SELF_HARM.search(normalise(text)))
