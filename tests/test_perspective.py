"""Who a situation is about (retrieval.perspective): a coach's account of a client read in the client's voice."""

from __future__ import annotations

import dataclasses

import pytest

from retrieval import perspective
from retrieval.engine import Method, Retriever
from tests.test_evidence import examples_path, retriever  # noqa: F401  (fixtures)


@pytest.mark.parametrize("text, expected", [
    ("My client says she's not cut out for FAS and doubts herself.",
     "I say I'm not cut out for FAS and doubts myself."),
    ("my client is a dep sec. hes great but he doesnt see his effect on people",
     "I am a dep sec. im great but I don't see my effect on people"),
    ("My client has been passed over twice. She's started saying no to everything her Dep Sec offers her.",
     "I have been passed over twice. I've started saying no to everything my Dep Sec offers me."),
    ("I'm coaching a FAS who thinks her ASs can't cope without her. He'd never admit it.",
     "I am a FAS who thinks my ASs can't cope without me. I'd never admit it."),
    ("I have a client who is an AS. She freezes when her FAS asks her a question.",
     "I am an AS. I freeze when my FAS asks me a question."),
    ("coachee is an AS who misses what people arent saying and he keeps ploughing on",
     "I am an AS who misses what people arent saying and I keep ploughing on"),
    ("Client is a FAS who lives in the weeds. Her ELs say she never explains where the division is heading.",
     "I am a FAS who lives in the weeds. My ELs say I never explain where the division is heading."),
    ("have a client, an AS, whose team keeps proposing the same fix. he knows its not right",
     "I an AS, whose team keeps proposing the same fix. I know its not right"),
    ("coaching a FAS heading into a Cabinet sub. she hasnt looked at the options",
     "I am a FAS heading into a Cabinet sub. I haven't looked at the options"),
    ("One of my clients is a CFO and he's exhausted.", "I am a CFO and I'm exhausted."),
    ("My coachee feels out of her league; the CIO told her it's affordable.",
     "I feel out of my league; the CIO told me it's affordable."),
])
def test_a_clients_account_is_read_in_the_first_person(text, expected):
    assert perspective.about_client(text)
    assert perspective.as_client(text) == expected


@pytest.mark.parametrize("text", [
    "My director is dreading Estimates and she's not sleeping.",
    "A contractor had a breach that may include our clients' details; he says it is contained.",
    "Clients are complaining about wait times and she wants a fix.",
    "The client agency wants its system back and he is furious.",
    "I'm dreading Estimates and doubting myself.",
    "I'm working with an AS who keeps changing the brief and she won't listen.",
    "I'm mentoring a new SES Band 1 and she's asked me how to survive her first Estimates.",
    "We have a client who keeps ringing the call centre and she is upset about the wait.",
    "Our client service charter is out of date and he wants it redone.",
])
def test_an_account_of_oneself_or_of_staff_is_left_as_written(text):
    assert not perspective.about_client(text)
    assert perspective.as_client(text) == text


def test_the_retriever_reads_a_clients_account_in_their_voice_only_when_the_method_says(retriever):  # noqa: F811
    text = "My client says she is worried about her budget."
    assert retriever.read(text).startswith("I say I am worried about my budget")
    plain = Retriever(retriever.framework, retriever.index, retriever.encoder, max_chars=500,
                      method=dataclasses.replace(Method(), client_voice=False), glossary=retriever.evidence.glossary)
    assert plain.read(text).startswith(text)
    assert retriever.search(text).capabilities[0].id == retriever.search("I am worried about my budget.") \
        .capabilities[0].id
