"""Requests about the call (repeat, help, agent, chat, goodbye) and answers that are not."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.intents import MetaIntent, detect_meta_intent, only_a_lead_in

R, H, A, C, G = (
    MetaIntent.REPEAT,
    MetaIntent.HELP,
    MetaIntent.AGENT,
    MetaIntent.CHAT,
    MetaIntent.GOODBYE,
)


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("再说一遍", R),
        ("请再说一遍。", R),
        ("請再說一遍", R),
        ("你能再说一次吗？", R),
        ("没听清", R),
        ("我没听清楚", R),
        ("重复一下", R),
        ("重复", R),
        ("请再说", R),
        ("什么？", R),
        ("你说啥", R),
        ("帮助", H),
        ("我该怎么说？", H),
        ("不明白", H),
        ("我听不懂", H),
        ("什么意思？", H),
        ("人工", A),
        ("转人工", A),
        ("我不会弄这个，让你们人工跟我说", A),
        ("喂，人工，人工", A),
        ("我这情况有点特殊……你们有没有人工，我跟人说清楚。", A),
        ("有人工吗", A),
        ("Cancel.", MetaIntent.CANCEL),
        ("I just remembered a client owes me. Let's forget about it. Cancel.", MetaIntent.CANCEL),
        ("Before I give my name, I want talk to one person, a human.", A),
        ("我要转人工服务", A),
        ("客服", A),
        ("我要客服", A),
        ("找真人", A),
        ("轉人工", A),
        ("文字", C),
        ("聊天", C),
        ("我想打字", C),
        ("能不能用文字聊天", C),
        ("再见", G),
        ("好的，再见。", G),
        ("我先挂了", G),
        ("拜拜", G),
        ("你说不清楚，让你们客服跟我讲。", A),
        ("我情况特殊，一边上班一边开网店，你还是让业务员跟我聊吧。", A),
        ("哎等一下，工资刚到账，暂时不用借了。", MetaIntent.CANCEL),
        ("还要分期啊……我再算算，回头再打过来。", MetaIntent.CANCEL),
        ("等会儿，这个我得问问我老婆，家里她管钱。", MetaIntent.CANCEL),
    ],
)
def test_mandarin_requests_are_recognised(said: str, intent: MetaIntent) -> None:
    assert detect_meta_intent(said, "zh") is intent


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("Repeat.", R),
        ("Can you repeat that?", R),
        ("Say that again, please.", R),
        ("Could you say it again?", R),
        ("Pardon?", R),
        ("Pardon me?", R),
        ("What?", R),
        ("What was that?", R),
        ("Sorry?", R),
        ("Sorry, I didn't catch that.", R),
        ("Help.", H),
        ("Help me.", H),
        ("I don't understand.", H),
        ("What do you mean?", H),
        ("I need help.", H),
        ("Agent.", A),
        ("Human.", A),
        ("Operator, please.", A),
        ("Representative.", A),
        ("I want to speak to an agent.", A),
        ("Can I talk to a real person?", A),
        ("Transfer me to a human.", A),
        ("Customer service, please.", A),
        ("Chat.", C),
        ("Text.", C),
        ("Type.", C),
        ("Can I type instead?", C),
        ("Switch to chat, please.", C),
        ("I'd rather type.", C),
        ("Bye.", G),
        ("Goodbye.", G),
        ("OK, bye bye.", G),
        ("I'm going to hang up now.", G),
        ("Zhuan rengong, please — customer service.", A),
        ("Can I talk to one of your staff?", A),
        ("Is there a loan officer I can speak to about a bigger loan?", A),
        ("I'm old, I don't understand all this. Is there a person who can explain?", A),
        ("It's complicated. Can a human help me with this? Agent. Agent.", A),
        ("Let me sleep on it and call back tomorrow.", MetaIntent.CANCEL),
        ("That's more than I thought. I'll leave it, thanks.", MetaIntent.CANCEL),
        ("I don't want to tell a machine my income. Just cancel it.", MetaIntent.CANCEL),
    ],
)
def test_english_requests_are_recognised(said: str, intent: MetaIntent) -> None:
    assert detect_meta_intent(said, "en") is intent


@pytest.mark.parametrize(
    "said",
    [
        "",
        "对",
        "是的",
        "嗯嗯嗯",
        "不知道",
        "啊",
        "你好，我想贷款",
        "中文",
        "我想借五万元",
        "十二个月",
        "家里装修",
        "我在人工智能公司上班",
        "新家装修，付工人工钱",
        "装个人工草坪",
        "我是客服",
        "我在一家客服中心上班",
        "幺三八，零零幺三，八零零零",
        "English",
        "Yes, I agree.",
        "What is it for?",
        "What's the interest rate on this loan?",
        "I'm a real estate agent.",
        "我不想跟人说我的收入",
        "I put a deposit on the car.",
        "I live with someone from work.",
        "Do I need a person's signature as a guarantor?",
        "I work as a travel agent.",
        "I work as an insurance agent, mostly car policies.",
        "我是业务员",
        "我在银行当客户经理",
        "The money will help my mother pay the hospital.",
        "I want to buy stocks with it.",
        "Tuition for my master's degree.",
        "one three nine, eight seven six five, four three two one",
    ],
)
def test_ordinary_answers_are_no_request(said: str) -> None:
    assert detect_meta_intent(said, "zh") is None
    assert detect_meta_intent(said, "en") is None


def test_meta_intents_are_string_values() -> None:
    assert [intent.value for intent in MetaIntent] == [
        "repeat",
        "help",
        "agent",
        "chat",
        "goodbye",
        "cancel",
    ]


@pytest.mark.parametrize(
    ("said", "lead_in"),
    [
        ("Sorry,", True),
        ("Sorry.", True),
        ("Um...", True),
        ("不好意思，", True),
        ("那个。", True),
        ("Sorry?", False),
        ("不好意思？", False),
        ("嗯", False),
        ("Sorry, can I change the amount?", False),
        ("对", False),
        ("", False),
    ],
)
def test_a_turn_of_only_an_opening_word_is_the_start_of_one(said: str, lead_in: bool) -> None:
    assert only_a_lead_in(said) is lead_in


@pytest.mark.parametrize(
    "said",
    [
        "这个我还是跟人谈吧",
        "找个能做主的来",
        "叫个能拍板的人",
        "让你们那边的人给我打电话",
        "I'd feel better doing this with a real person.",
        "Put someone on, please.",
        "Could a real person take over from here?",
        "Let me talk to whoever is in charge.",
        "我的情况比较特殊，有没有人能帮我看看",
        "我收入挺复杂的，叫个懂行的来跟我说吧",
        "Is there a colleague of yours who could explain the options? I'd feel better with a "
        "person.",
    ],
)
def test_a_person_asked_for_without_naming_an_agent(said: str) -> None:
    assert detect_meta_intent(said, "zh") is A


@pytest.mark.parametrize(
    "said",
    [
        "今天就到这儿吧，下次再说",
        "暂时不需要了",
        "Let's put this on hold.",
        "I'd rather not go on.",
        "家里人不同意我借，下次吧",
    ],
)
def test_soft_ways_of_stopping(said: str) -> None:
    assert detect_meta_intent(said, "zh") is MetaIntent.CANCEL


def test_an_ergonomic_chair_asks_for_no_one() -> None:
    # 换个人体工学椅: 换个人 ("another person") inside the name of a chair.
    assert detect_meta_intent("换个人体工学椅和电脑", "zh") is None
