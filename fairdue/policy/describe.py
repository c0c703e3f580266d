"""A pack's rules as plain sentences (zh/en) for borrowers: "what happens if I'm late".

Pure: reads the loaded pack only. Each entry: {"rule", "topic", "text",
"source", "confidence"}; topics are the violation categories, so a page can
group them (hours, frequency, who may be contacted, what is never done).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fairdue.policy.pack import Pack, PackError, load_pack

_CH_ZH = {
    "call": "电话",
    "voicemail": "语音留言",
    "visit": "上门",
    "sms": "短信",
    "app_push": "应用推送",
    "email": "电子邮件",
    "letter": "信函",
}
_ROLE_ZH = {
    "borrower": "借款人本人",
    "guarantor": "担保人",
    "spouse": "配偶",
    "attorney": "代理律师",
    "emergency_contact": "您登记的紧急联系人",
    "third_party": "其他第三方",
}


def _join(items: Iterable[str], lang: str, table: Mapping[str, str] | None = None) -> str:
    words = [table.get(i, i) if (lang == "zh" and table) else i.replace("_", " ") for i in items]
    return "、".join(words) if lang == "zh" else ", ".join(words)


def _sentence_v2(kind: str, p: Mapping[str, Any], zh: bool) -> str | None:
    """Opt-outs and the gate v2 kinds (truth, location_employer, collector_disclosure)."""
    if kind == "opt_out":
        if p.get("confirmations_max"):
            return (
                "您可以拒绝某一联系渠道，我们将不再使用（只会在该渠道发送一次退订确认，不含任何催收内容）。"
                if zh
                else "You can turn off any channel and we will stop using it "
                "(apart from one message confirming your request, with nothing about the debt)."
            )
        return (
            "您可以拒绝某一联系渠道，我们将不再使用。"
            if zh
            else "You can turn off any channel and we will stop using it."
        )
    if kind == "truth":
        return (
            "我们发给您的信息只陈述真实情况：是否逾期、逾期天数、欠款金额、已收取的费用和是否已起诉，都与您的账户一致；"
            "未逾期时不会催收。"
            if zh
            else "What we tell you is true: whether you are behind, by how many days, how much you owe, the fees "
            "actually charged and whether any court action was started all match your account; "
            "we never send collection messages while you are up to date."
        )
    if kind == "location_employer":
        return (
            "为寻找您而联系他人时，除非对方明确询问，我们不会说出机构名称。"
            if zh
            else "When we contact someone else only to find you, we do not name our company unless they ask."
        )
    if kind == "collector_disclosure":
        return (
            "如由债务催收机构联系您，信息中会说明其为债务催收方。"
            if zh
            else "If a debt collector contacts you on our behalf, its messages say they are from a debt collector."
        )
    return None


def _sentence(kind: str, p: Mapping[str, Any], lang: str) -> str | None:
    zh = lang == "zh"
    v2 = _sentence_v2(kind, p, zh)
    if v2 is not None:
        return v2
    if kind == "hours":
        a, b = p["window"]
        return (
            f"我们只在您当地时间 {a} 至 {b} 之间联系您（{_join(p['channels'], lang, _CH_ZH)}），"
            "并尊重您告知的不便时段。"
            if zh
            else f"We contact you only between {a} and {b} your local time ({_join(p['channels'], lang)}), "
            "and never in hours you told us are inconvenient."
        )
    if kind == "unanswered_calls_per_day":
        n = p["unanswered_calls_per_day_max"]
        return (
            f"同一号码每天未接通的来电不超过 {n} 次。"
            if zh
            else f"At most {n} unanswered calls to the same number a day."
        )
    if kind == "calls_in_days":
        n, d = p["calls_max"], p["days"]
        if d == 1:
            return f"每天最多来电 {n} 次。" if zh else f"At most {n} calls a day."
        return f"任意连续 {d} 天内最多来电 {n} 次。" if zh else f"At most {n} calls in any {d} consecutive days."
    if kind == "calls_after_conversation":
        d = p["days"]
        return (
            f"与您通话后 {d} 天内不再来电（通话当天算第 1 天）。"
            if zh
            else f"After we speak with you by phone, no further call for {d} days (that day is day 1)."
        )
    if kind == "sources":
        return (
            "我们绝不读取或使用您手机通讯录、通话记录中的号码。"
            if zh
            else "We never read or use numbers from your phone's address book or call log."
        )
    if kind == "third_party":
        roles = _join(p["location_roles"], lang, _ROLE_ZH)
        text = (
            f"我们只与您本人（及{_join([r for r in p['debtor_roles'] if r != 'borrower'], lang, _ROLE_ZH)}）"
            "谈论这笔债务；"
            f"只有在联系不上您时，才会联系{roles}，"
            "且只请对方转告您与我们联系，绝不透露债务。"
            if zh
            else "We discuss the debt only with you "
            f"(and your {_join([r for r in p['debtor_roles'] if r != 'borrower'], lang)}); "
            f"only if we cannot reach you may we contact {roles} to ask you to get in touch, never mentioning the debt."
        )
        if p["consent_required"]:
            text += (
                "紧急联系人须事先同意且可随时撤回。"
                if zh
                else " An emergency contact must have agreed, and may withdraw at any time."
            )
        if p["stop_when_asked"]:
            text += "对方要求停止即停止。" if zh else " If they ask us to stop, we stop."
        if p.get("location_contacts_per_person_max") is not None:
            n = p["location_contacts_per_person_max"]
            text += f"每人最多联系 {n} 次。" if zh else f" Each such person is contacted at most {n} time(s)."
        return text
    if kind == "unreachable":
        return (
            f"“联系不上”指：您的号码无效，或连续 {p['failed_attempts_min']} 次呼叫未接通，"
            f"或连续 {p['failed_days_min']} 天联系不上。"
            if zh
            else f'"Cannot reach you" means: your number is invalid, or {p["failed_attempts_min"]} calls in a row '
            f"went unanswered, or {p['failed_days_min']} days in a row without getting through."
        )
    suppress = {
        "cease": (
            "您要求停止联系后，我们停止催收联系",
            "If you ask us to stop contacting you, collection contact stops",
        ),
        "attorney": ("您委托律师后，我们只联系您的律师", "If a lawyer represents you, we contact only your lawyer"),
        "bankruptcy": ("您进入破产程序后，催收中止", "If you are in bankruptcy, collection stops"),
        "breathing_space": ("债务暂停期内不进行催收", "During a breathing-space moratorium there is no collection"),
        "dispute": (
            "您对债务提出异议后，核实前暂停催收",
            "If you dispute the debt, collection pauses until it is verified",
        ),
        "plan": (
            "您按协商还款计划还款期间不催收，只提醒计划内的还款",
            "While you keep to an agreed repayment plan there is no collection, only reminders of its installments",
        ),
    }
    if kind in suppress:
        zh_text, en_text = suppress[kind]
        excepted = p["channels_excepted"]
        if excepted:
            return (
                (zh_text + f"（{_join(excepted, lang, _CH_ZH)}除外）。")
                if zh
                else (en_text + f" (except {_join(excepted, lang)}).")
            )
        return zh_text + "。" if zh else en_text + "."
    if kind == "visit_staff":
        return (
            f"如需上门，至少 {p['visit_staff_min']} 人同行。"
            if zh
            else f"Any home visit is made by at least {p['visit_staff_min']} staff."
        )
    if kind == "authentication":
        return (
            "您自己申请的登录验证码只发到您本人的号码或邮箱（{}），任何时间都可能送达，且绝不提及您的债务。".format(
                _join(p["channels"], lang, _CH_ZH)
            )
            if zh
            else "A login code you ask for yourself goes only to your own number or e-mail "
            f"({_join(p['channels'], lang)}), "
            "may arrive at any hour, and never mentions your debt."
        )
    if kind == "content":
        return (
            "我们绝不威胁、辱骂、冒充公检法、伪造法律文书、公开曝光，也不会告诉您的家人、朋友或单位，更不会诱导您借新还旧。"
            if zh
            else "We never threaten or insult you, pose as police or courts, fake legal papers, shame you in public, "
            "tell your family, friends or employer, or push you to borrow elsewhere to pay."
        )
    return None


def describe_pack(jurisdiction: str, language: str = "en", pack: Pack | None = None) -> list[dict[str, Any]]:
    """Plain sentences for each rule of a pack that a borrower should know, in rule order."""
    if language not in ("zh", "en"):
        raise PackError(f"language must be 'zh' or 'en', not {language!r}")
    pack = pack or load_pack(jurisdiction)
    out = []
    for spec in pack.rules:
        text = _sentence(spec.kind, spec.params, language)
        if text:
            out.append(
                {
                    "rule": spec.id,
                    "topic": spec.category,
                    "text": text,
                    "source": spec.source,
                    "confidence": spec.confidence,
                }
            )
    return out
