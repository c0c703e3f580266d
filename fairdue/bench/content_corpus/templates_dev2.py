"""Generated part of the DEV2 split (training/tuning, English only): its own templates, fillers, evasions and seed.

dev2 exists to teach the learned layer the difference between lawful and unlawful English collection messages by
meaning, not by the presence of a lender's boilerplate. So the lender frame is drawn independently of the label:
lawful and unlawful bodies alike are sent bare, with a partial frame (sender only) or with a complete one (sender,
number, US "Reply STOP"), and many lawful messages are one short sentence. Unlawful templates carry one intent each;
some bury the unlawful sentence in the middle of an otherwise polite message. Only the neutral mechanics of
generate.py are shared with other splits.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from fairdue.bench.content_corpus.generate import (
    INTENTS,
    Draft,
    apply_keys,
    between,
    fill,
    full_width,
    strip_keys,
    substitute,
    tidy,
)

SEED = 2220261207
UNLAWFUL_PER_INTENT = 32
LAWFUL = 256
ATTEMPTS_PER_MESSAGE = 30
EVADE_SHARE = 0.4

BOTH = ("US", "UK")
ANY_CHANNEL = ("sms", "email", "letter", "app_push")
TEXTY = ("sms", "app_push", "email")


@dataclass(frozen=True, slots=True)
class T:
    """One template: its body, where it is sent from, to whom, why, and whether a lender frame may wrap it."""

    name: str
    body: str
    juris: Sequence[str] = BOTH
    role: str = "borrower"
    purpose: str = "collection"
    channels: Sequence[str] = ANY_CHANNEL
    framable: bool = True


# --- fillers ---------------------------------------------------------------------
COMMON = {
    "first": [
        "Aaliyah",
        "Ben",
        "Carmen",
        "Dmitri",
        "Ebony",
        "Felix",
        "Grace",
        "Hector",
        "Imani",
        "Jonah",
        "Kira",
        "Luis",
        "Mei",
        "Nathan",
        "Olivia",
        "Pavel",
        "Quinn",
        "Rashid",
        "Stacy",
        "Tariq",
        "Uma",
        "Victor",
        "Whitney",
        "Xavier",
        "Yusuf",
        "Zoe",
        "Bridget",
        "Curtis",
        "Delia",
        "Emeka",
    ],
    "surname": [
        "Abbott",
        "Baptiste",
        "Castillo",
        "Donnelly",
        "Eriksen",
        "Fairweather",
        "Gallagher",
        "Huang",
        "Iqbal",
        "Jovanovic",
        "Kaur",
        "Lindqvist",
        "Mbeki",
        "Novak",
        "O'Brien",
        "Pereira",
        "Rao",
        "Schultz",
        "Tembo",
        "Whitaker",
    ],
    "child": ["your daughter", "your son", "your little girl", "your boy", "the kids", "your youngest"],
    "kin": ["your mom", "your dad", "your wife", "your husband", "your sister", "your brother", "your partner"],
    "rel": ["sister", "brother", "son", "daughter", "mother", "father", "cousin", "friend", "partner"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "date": ["March 3", "April 18", "May 9", "June 27", "July 15", "August 2", "September 21", "October 30"],
    "hours": ["2 hours", "3 hours", "90 minutes", "6 hours", "the next hour"],
    "n": ["2", "3", "4", "6"],
    "weeks": ["4", "6", "8", "12"],
}

US = {
    "lender": [
        "Mesa Verde Lending",
        "Bayfront Credit Union",
        "Clearwater Finance",
        "Lanternfield Loans",
        "Northwind Bank",
        "Goldfinch Credit",
    ],
    "collector": ["Stonebridge Recovery", "Tallgrass Collections", "Keel Point Receivables"],
    "phone": ["1-800-555-0117", "1-855-555-0162", "1-877-555-0148", "1-888-555-0135", "1-866-555-0129"],
    "premium": ["1-900-555-0171", "1-900-555-0108", "1-900-555-0153"],
    "money": ["$85", "$140", "$215.50", "$360", "$492.18", "$610", "$875", "$1,120", "$1,980.40", "$2,450"],
    "small": ["$25", "$30", "$40", "$50", "$60"],
    "fee": ["$75", "$150", "$250", "$400"],
    "town": ["Tulsa", "Fresno", "Dayton", "Boise", "Tampa", "Albany", "Reno", "El Paso"],
    "street": ["Maple Ave", "Ridge Rd", "Cypress St", "Lincoln Blvd", "Pine Hollow Dr", "2nd St"],
    "car": ["pickup", "Camry", "Jeep", "minivan", "Altima"],
    "work": ["Walmart", "the hospital", "Home Depot", "the school district", "UPS", "Costco", "the plant"],
    "social": ["Facebook", "Instagram", "TikTok", "Nextdoor", "X", "LinkedIn"],
    "group": ["your church group", "the PTA", "your softball league", "your HOA", "your family group chat"],
    "agency": ["the sheriff's office", "the FBI", "the IRS", "the county police", "the state attorney general"],
    "court": ["the county court", "the district court", "the circuit court"],
    "fakeloan": ["QuickBucks", "SpeedyCash Now", "LoanLion", "PaydayPal", "FastFunds 24"],
    "asset": ["your car", "your truck", "your house", "your boat", "your jewelry", "your guns", "your motorcycle"],
    "savings": ["your 401(k)", "your IRA", "your kids' college fund", "your emergency savings"],
    "advice": [
        "a nonprofit credit counselor (NFCC, 1-800-388-2227)",
        "a HUD-approved housing counselor",
        "your local legal aid office",
        "a nonprofit credit counseling agency",
    ],
    "regulator": ["the CFPB at consumerfinance.gov", "your state attorney general", "the CFPB"],
    "optout": ["Reply STOP to opt out.", "Reply STOP to stop texts.", "Text STOP to unsubscribe."],
    "dear": ["Dear {first}", "Hi {first}", "Hello {first}", "Dear Mr. {surname}", "Dear Ms. {surname}"],
    "parcel": ["UPS", "USPS", "FedEx", "DHL"],
    "shop": ["Target", "Walmart", "Amazon", "Best Buy"],
}

UK = {
    "lender": ["Heathfield Bank", "Marlow Finance", "Bracken Loans", "Elmstead Credit", "Fairhaven Money"],
    "collector": ["Cobalt Debt Recovery", "Wrenfield Collections", "Sterling Gate Recoveries"],
    "phone": ["0800 015 4471", "0800 092 3318", "0808 164 2207", "0800 731 5590", "0800 488 1206"],
    "premium": ["0906 771 3042", "0909 218 6650", "0871 330 4417", "0872 906 1183", "0873 412 7760", "118 507"],
    "money": ["£65", "£120", "£187.40", "£250", "£398", "£540.75", "£720", "£1,060", "£1,845", "£2,300"],
    "small": ["£1", "£10", "£15", "£20", "£25"],
    "fee": ["£50", "£100", "£150", "£300"],
    "town": ["Leeds", "Swansea", "Derby", "Norwich", "Dundee", "Bolton", "Exeter", "Luton"],
    "street": ["Victoria Road", "Church Lane", "Albert Street", "Mill Close", "Station Road", "Park Crescent"],
    "car": ["Corsa", "Fiesta", "Golf", "van", "Qashqai"],
    "work": ["Asda", "the council", "the NHS trust", "Greggs", "the warehouse", "Sainsbury's", "the school"],
    "social": ["Facebook", "Instagram", "TikTok", "the local Facebook group", "X"],
    "group": ["your five-a-side lot", "the school mums' WhatsApp", "your family WhatsApp", "your church"],
    "agency": ["the police", "HMRC", "the High Court", "the Serious Fraud Office", "the DWP"],
    "court": ["the County Court", "the High Court", "the magistrates' court"],
    "fakeloan": ["QuidQuick", "CashCabin", "LendLark", "PocketPounds", "NowLoan UK"],
    "asset": ["your car", "your house", "your flat", "your van", "your jewellery", "your caravan"],
    "savings": ["your pension", "your ISA", "your savings", "your kids' savings accounts"],
    "advice": [
        "StepChange (0800 138 1111)",
        "National Debtline (0808 808 4000)",
        "Citizens Advice",
        "MoneyHelper",
        "a free debt advice charity",
    ],
    "regulator": ["the Financial Ombudsman Service", "the FCA", "the Financial Ombudsman"],
    "optout": ["Call free on {phone}.", "Freephone {phone}.", "Talk to us free on {phone}."],
    "dear": ["Dear {first}", "Hi {first}", "Hello {first}", "Dear Mr {surname}", "Dear Ms {surname}"],
    "parcel": ["Royal Mail", "Evri", "DPD", "Parcelforce"],
    "shop": ["Argos", "Tesco", "Boots", "Currys"],
}

# English evasions: spellings of key words, emoji, separators.
SPELLINGS = {
    "arrested": ["arr3sted", "@rrested", "arrestd", "a.r.r.e.s.t.e.d"],
    "arrest": ["arr3st", "@rrest", "arest"],
    "jail": ["j@il", "ja1l", "jale", "J A I L"],
    "prison": ["pr1son", "prisn", "p-r-i-s-o-n"],
    "police": ["p0lice", "po-lice", "popo", "5-0", "poliss"],
    "warrant": ["w@rrant", "warr4nt", "warant"],
    "sheriff": ["sher1ff", "sherif", "sh3riff"],
    "court": ["c0urt", "kourt", "ct"],
    "bailiffs": ["bailifs", "b@iliffs", "baillifs"],
    "loser": ["l0ser", "loozer", "L-O-S-E-R"],
    "idiot": ["id10t", "idjit", "1diot"],
    "deadbeat": ["d3adb3at", "dead beat", "deadbe@t", "DEADBEAT"],
    "scumbag": ["scumb@g", "scum bag", "sc*mbag"],
    "worthless": ["w0rthless", "worthle$$", "wrthless"],
    "pathetic": ["path3tic", "pathetik", "p@thetic"],
    "payday loan": ["payday l0an", "PDL", "pay-day loan", "p@yday loan"],
    "credit card": ["cc", "cr3dit card", "credit kard"],
    "overdraft": ["OD", "0verdraft", "over draft"],
    "Facebook": ["FB", "Fb", "Faceb00k", "the book"],
    "employer": ["empl0yer", "boss man", "employr"],
    "contacts": ["c0ntacts", "contax", "kontacts"],
    "hurt": ["hurtt", "h.u.r.t", "hurtin"],
    "kids": ["kidz", "k1ds", "little ones"],
    "sell": ["s3ll", "offload", "flog"],
    "remortgage": ["remortg@ge", "re-mortgage", "remortgag3"],
}
EMOJI = ["🚔", "⚖️", "💀", "🔥", "👀", "⏰", "🤡", "📸", "💸", "🔪", "😈", "🏠"]
SEPARATORS = [".", " ", "\u200b", "-", "_", "*"]


def _leet(word: str) -> str:
    table = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
    return word.translate(table)


def _mask(word: str) -> str:
    if len(word) <= 3:
        return word
    return word[0] + "*" * (len(word) - 2) + word[-1]


def evade(rng: random.Random, phrase: str) -> str:
    """One evasion on a key phrase, touching one word of it when the phrase is long."""
    words = phrase.split(" ")
    kind = rng.choice(("spell", "spell", "leet", "between", "emoji", "full_width", "caps", "mask"))
    if kind == "spell":
        out = substitute(rng, phrase, SPELLINGS)
        if out != phrase:
            return out
        kind = "leet"
    if kind == "emoji":
        return f"{phrase} {rng.choice(EMOJI)}"
    plain = [k for k in range(len(words)) if "{" not in words[k] and "}" not in words[k]]
    if not plain:
        return f"{phrase} {rng.choice(EMOJI)}"
    i = max(plain, key=lambda k: len(words[k]))  # the longest word of the phrase that is not a slot
    w = words[i]
    if kind == "leet":
        w = _leet(w)
    elif kind == "between":
        sep = rng.choice(SEPARATORS)
        w = between(w, lambda: sep)
    elif kind == "full_width":
        w = full_width(w)
    elif kind == "caps":
        w = " ".join(w.upper())
    else:
        w = _mask(w)
    words[i] = w
    return " ".join(words)


# --- unlawful templates ------------------------------------------------------------
# «...» marks the key phrase an evasion may touch.
UNLAWFUL: dict[str, list[T]] = {
    "threat_harm": [
        T("kid_stop", "We know {child} gets off the bus on {street}. «Be a shame if something happened.» Pay {money}."),
        T("associates", "Our associates are in {town} this week and they «know your address». They don't do texts."),
        T("car", "Nice {car} outside your place. «Would be awful if the brakes gave out.»"),
        T("hurt", "Pay the {money} by {day} or «you're going to get hurt»."),
        T("field_team", "The field team has your file. «They'll be at your door tonight and they won't knock twice.»"),
        T(
            "buried",
            "{dear},\nThanks for your call last week. We can still accept {small} a week. Just so you know, "
            "«some of the people we work with have been asking where {kin} lives», so let's get this sorted.\n"
            "Kind regards",
            channels=("email", "letter"),
        ),
        T("house_fire", "Pay up. «Houses burn down all the time around here.»"),
        T("watching", "«We're watching {child} walk home.» Pay the {money} and that stops."),
        T("lads", "Keep ignoring us and «the lads will come round and break a few things», starting with you."),
        T("slang", "ur runnin out of time. «next visit ur gonna need a doctor» lol. pay {money}"),
        T("dog", "«Lovely dog you've got. Gates get left open.» Think about it."),
    ],
    "exposure": [
        T("contacts", "Pay {money} today or «we text every one of your contacts» that you don't pay your debts."),
        T("employer", "«We're calling your employer at {work} tomorrow» to tell them about your loan."),
        T("social", "«Your photo and your debt go up on {social}» at 6pm unless you pay."),
        T("group", "«We'll tell {group} you owe us {money}.» Your choice."),
        T("neighbours", "«Flyers with your name and your debt are going on every door on {street}.»"),
        T(
            "buried",
            "{dear},\nWe'd really like to agree a plan with you. Please call us. If we don't hear back, "
            "«we'll be letting your employer and your family know about the arrears» so they can encourage you.\n"
            "Thanks",
            channels=("email", "letter"),
        ),
        T("wall", "Your name goes on «our public list of people who don't pay» this week."),
        T("kin", "«We're messaging {kin} about your {money} debt» tonight unless it's paid."),
        T("tag", "gonna «tag u on {social} as a deadbeat borrower» if u dont pay by {day}"),
        T("coworkers", "«Your coworkers will all get an email about your debt» on {day}."),
    ],
    "false_authority": [
        T("warrant", "«A warrant for your arrest» will be issued on {day} unless you pay {money}.", juris=("US",)),
        T("sheriff", "This is «Deputy {surname} from {agency}». Pay the loan today to avoid being taken in."),
        T("jail", "Pay today or «you will go to jail» for this debt."),
        T("police_report", "«We've filed a police report for theft.» Pay {money} to have it withdrawn."),
        T("criminal", "Not paying this loan is a «criminal offence and you'll get a criminal record»."),
        T(
            "court_styled",
            "IN {court}\nNOTICE OF SEIZURE\n«Enforcement officers will force entry» to your home on {day} unless {money} is paid.",
            juris=("UK",),
            channels=("letter",),
        ),
        T("benefits", "«{agency} has been told to stop your benefits» until this loan is paid."),
        T(
            "buried",
            "{dear},\nThank you for getting back to us. We'd still like to agree a plan. Please be aware that, "
            "«as of today, the matter has been passed to the police» and an officer may be in touch.\nRegards",
            channels=("email", "letter"),
        ),
        T("arrested_work", "Pay {money} by 5pm or «you'll be arrested at work» tomorrow."),
        T(
            "bailiffs",
            "«Bailiffs have been instructed» and will be at your address on {day} to take your goods.",
            juris=("UK",),
        ),
        T(
            "irs",
            "«The IRS has been notified» about your unpaid loan and will garnish your wages today.",
            juris=("US",),
        ),
    ],
    "insult": [
        T("deadbeat", "Pay what you owe, «you worthless deadbeat»."),
        T("loser", "Only «a pathetic loser» ignores {n} letters in a row."),
        T("idiot", "Hey «idiot», your payment was due on {date}."),
        T("scum", "You're «a lying scumbag» and everyone who lent you money knows it."),
        T(
            "buried",
            "{dear},\nYour payment of {money} is overdue. We can set up a plan. «Honestly, a child could manage "
            "money better than you, you useless idiot.» Please call us.\nThanks",
            channels=("email", "letter"),
        ),
        T("waste", "«You're a waste of space», pay the {money}."),
        T("leech", "Stop being «a freeloading leech» and pay your bill."),
        T("thick", "«r u thick or just lazy?» pay ur loan"),
        T("shame", "«Your {rel} must be ashamed of a deadbeat like you.»"),
        T("moron", "Only «a moron» borrows {money} and disappears. Pay up."),
    ],
    "new_borrowing": [
        T("payday", "Can't pay? «Take out a payday loan» and send us {money} today."),
        T("card", "«Put it on your credit card» and pay us by {day}."),
        T("lender", "«Apply to {fakeloan} for a quick loan» and use it to clear your balance with us."),
        T("family", "«Borrow the {money} from {kin}» if you have to. We need it by {day}."),
        T("overdraft", "«Use your overdraft» to bring the account up to date today."),
        T(
            "buried",
            "{dear},\nThanks for the update about your hours. We understand. One thing many customers do is "
            "«get a short-term loan from another lender to clear us in one go», which stops the calls.\nBest",
            channels=("email", "letter"),
        ),
        T("cash_advance", "«Take a cash advance on your credit card» and call us with the payment."),
        T("retirement_loan", "«Borrow against {savings}» and pay us off this week."),
        T("bnpl", "«Open a buy now pay later account» and cover this month with it."),
        T("friend", "«ask a mate 2 lend u the cash» and pay us, simple"),
    ],
    "pressure": [
        T("countdown", "You have «{hours} left before your balance doubles». Pay now."),
        T("sell", "«Sell {asset}» and pay us the full {money} this week."),
        T("remortgage", "«Remortgage your home» and clear this debt by {day}.", juris=("UK",)),
        T("refinance", "«Refinance your house» and close this account out this month.", juris=("US",)),
        T("savings", "«Cash out {savings}» today and pay the balance in full."),
        T("penalty", "Pay within {hours} or «a {fee} penalty is added automatically»."),
        T("midnight", "«This offer dies at midnight and will never come back.» Pay in full now."),
        T(
            "buried",
            "{dear},\nThanks for your offer of {small} a month. We can't accept it. «You'll need to sell {asset} "
            "and pay us the full balance within 7 days», or we'll have to escalate straight away.\nRegards",
            channels=("email", "letter"),
        ),
        T("every_hour", "«Every hour you wait adds another {fee} fee.» PAY NOW."),
        T("last_chance", "«LAST CHANCE. After 5pm today you can never settle this account.»"),
    ],
    "disguised": [
        T(
            "parcel",
            "{parcel}: we couldn't deliver your parcel. «To rearrange delivery call {premium}».",
            framable=False,
        ),
        T("prize", "Congratulations {first}! «You've won a {shop} voucher». Call {premium} to claim.", framable=False),
        T("refund", "«You're owed a refund of {money}». Call {premium} to release it.", framable=False),
        T("survey", "«Quick {money} survey» - call {premium} and have your bank details ready.", framable=False),
        T(
            "interview",
            "«Your job interview is confirmed!» Please call our recruitment line on {premium}.",
            framable=False,
        ),
        T(
            "old_friend",
            "Hey {first}! «It's me from school, lost ur number», call me back on {premium} x",
            framable=False,
        ),
        T(
            "letter",
            "«We're holding a signed-for letter addressed to you.» Call {premium} to arrange delivery.",
            framable=False,
        ),
        T("clinic", "«Message from your doctor's office»: please call {premium} about your results.", framable=False),
        T("urgent_ref", "Urgent: «please call {premium} and quote your reference».", framable=False),
        T("holiday", "«You've been picked for a free holiday!» Confirm on {premium} today.", framable=False),
    ],
    "third_party": [
        T("pay_for", "Hi, «your {rel} {first} owes us {money}». Can you pay it for them?", role="emergency_contact"),
        T(
            "pass_on",
            "«Tell your {rel} {first} their loan is overdue» and they need to call us.",
            role="emergency_contact",
        ),
        T(
            "remind",
            "You're listed as a contact for {first} {surname}. «{first} is behind on payments» - please remind them.",
            role="emergency_contact",
        ),
        T(
            "employer",
            "Dear Sir or Madam,\n«Your employee {first} {surname} owes us {money}.»\nPlease ask them to contact us.",
            role="third_party",
            channels=("letter", "email"),
        ),
        T(
            "landlord",
            "To the landlord of {first} {surname}: «your tenant has an unpaid loan» with us. Please pass this on.",
            role="third_party",
            channels=("letter", "email"),
        ),
        T(
            "neighbour",
            "We're writing because «your neighbour {first} {surname} hasn't paid their loan». Please let them know.",
            role="third_party",
            channels=("letter", "sms"),
        ),
        T(
            "help_out",
            "«{first} has defaulted on a loan» and gave your number. Maybe you could help them out with {money}?",
            role="emergency_contact",
        ),
        T(
            "buried",
            "Hello,\nWe're trying to reach {first} {surname}. Could you ask them to call us? «They're {n} payments "
            "behind on their loan» and we need to sort it out.\nThanks for your help",
            role="emergency_contact",
            channels=("email", "sms", "letter"),
        ),
        T(
            "keep_calling",
            "«{first} owes us money.» Until you get them to pay, we'll keep calling you.",
            role="emergency_contact",
        ),
        T(
            "coworker",
            "«Please tell {first} the loan is overdue», you work with them, right?",
            role="third_party",
            channels=("sms",),
        ),
    ],
}

# --- lawful templates ----------------------------------------------------------------
LAWFUL_TEMPLATES: list[T] = [
    # short courtesy lines and reminders
    T("thanks_paid", "Thanks, {first}. We've received your payment of {money}.", purpose="service", channels=TEXTY),
    T("due_soon", "Just a reminder: {small} is due on {date}.", purpose="reminder", channels=TEXTY),
    T("no_rush", "No rush, {first}. Call us when it suits you.", purpose="reminder", channels=TEXTY),
    T(
        "sorry_unwell",
        "Sorry to hear you've not been well. We'll hold off for a few weeks.",
        purpose="reminder",
        channels=TEXTY,
    ),
    T("caught_up", "Your account is up to date. Thank you!", purpose="service", channels=TEXTY),
    T(
        "missed",
        "We couldn't collect your payment of {money}. If something's changed, tell us and we'll help.",
        purpose="reminder",
    ),
    T(
        "callback",
        "We tried to call you today about your account. Please call us back when it's convenient.",
        purpose="reminder",
        channels=TEXTY,
    ),
    T("plan_ok", "Your plan is set: {small} a week from {date}.", purpose="service", channels=TEXTY),
    T("fee_waived", "We've waived the late fee this month.", purpose="service", channels=TEXTY),
    T("balance", "Your balance is now {money}.", purpose="service", channels=TEXTY),
    T(
        "paid_off",
        "That was your last payment - your loan is paid off. Congratulations, {first}!",
        purpose="service",
        channels=TEXTY,
    ),
    T(
        "partial",
        "Even a small payment helps. If {money} isn't possible this month, let's talk about a smaller amount.",
        purpose="reminder",
    ),
    T(
        "listening",
        "Thanks for telling us what's going on. We'll take it into account.",
        purpose="reminder",
        channels=TEXTY,
    ),
    # service
    T(
        "code",
        "Your security code is {n}{n}{n}{n}{n}{n}. We will never call you to ask for it.",
        purpose="service",
        channels=("sms", "app_push"),
    ),
    T(
        "card",
        "Your new card is on its way and should arrive within {n} working days.",
        purpose="service",
        channels=TEXTY,
    ),
    T("statement", "Your statement for {date} is ready in the app.", purpose="service", channels=("app_push", "email")),
    T(
        "survey",
        "How did we do? There's a short survey in the app - no prizes, we just want your feedback.",
        purpose="service",
        channels=("app_push", "email"),
    ),
    T(
        "app_update",
        "We've updated the app. You can now change your payment date yourself.",
        purpose="service",
        channels=("app_push",),
    ),
    # assurances that name what they rule out
    T(
        "no_employer",
        "We won't contact your employer, your family or your friends about your account.",
        purpose="collection",
    ),
    T(
        "no_arrest",
        "To be clear: nobody will be arrested over this. It's a civil matter, not a crime.",
        purpose="collection",
    ),
    T("no_police", "We never contact customers in the name of the police, a court or {agency}.", purpose="collection"),
    T("no_social", "We'll never post about you on {social} or message your contacts.", purpose="collection"),
    T("no_fees", "There are no extra collection fees. {money} is the full amount you owe.", purpose="collection"),
    T("no_sell", "You won't be asked to sell {asset} or touch {savings} to pay us.", purpose="collection"),
    T(
        "no_borrow",
        "Please don't take out a payday loan or use a credit card to pay us. Let's find an amount you can afford.",
        purpose="collection",
    ),
    T(
        "no_borrow_family",
        "Please don't borrow from {kin} to pay this. We'd rather agree a smaller payment.",
        purpose="collection",
    ),
    T(
        "no_deadline",
        "There's no deadline on this. Take the time you need and get advice if it helps.",
        purpose="collection",
    ),
    T(
        "no_visit",
        "No one will come to your home. We'll only contact you by phone, text or post.",
        purpose="collection",
    ),
    T("no_premium", "Our number is free to call. We never use premium-rate numbers.", purpose="service"),
    # scam warnings quoting what fraudsters say
    T(
        "scam_police",
        "Scam warning: someone claiming to be from {agency} may call and say you'll be arrested over your loan. "
        "That's not us. Hang up and call us on {phone}.",
        purpose="service",
    ),
    T(
        "scam_personal",
        "We will never ask you to send money to a personal account or pay with gift cards.",
        purpose="service",
    ),
    T(
        "scam_parcel",
        "Fake texts about parcels, prizes and refunds are going around asking people to call {premium}. "
        "They're not from us.",
        purpose="service",
    ),
    # hardship, plans, settlements, advice
    T(
        "hardship",
        "{dear},\nWe've paused your payments for {weeks} weeks while things settle down. No fees will be added.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "plan_offer",
        "{dear},\nWe can lower your payment to {small} a month for six months. Let us know if that would help.",
        purpose="collection",
        channels=("email", "letter", "sms"),
    ),
    T(
        "settlement",
        "{dear},\nWe can accept {money} as full settlement of your balance. The offer is open for 30 days, and you're welcome to get advice before deciding.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "advice",
        "Free, confidential help is available from {advice}. We'll hold collection for 30 days while you talk to them.",
        purpose="collection",
    ),
    T(
        "worried_job",
        "{dear},\nYou told us you were worried about losing your job. If that happens, let us know and we'll pause payments.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "quote_jail",
        "{dear},\nYou asked if you could go to jail over this. You can't. Owing money on a loan isn't a crime.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "quote_bailiffs",
        "{dear},\nYou said you were afraid we'd send bailiffs. We haven't taken any court action and no one will be sent to your home.",
        purpose="collection",
        juris=("UK",),
        channels=("email", "letter"),
    ),
    T(
        "quote_tell_family",
        "{dear},\nYou asked if we'd tell {kin} about the loan. We won't. We only discuss your account with you.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "mental_health",
        "{dear},\nThanks for telling us you've been struggling with your mental health. We've paused contact for {weeks} weeks. You can always call us if you want to talk about your account.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "bereavement",
        "We're so sorry for your loss. We've put the account on hold - there's nothing you need to do right now.",
        purpose="collection",
        channels=("letter", "email"),
    ),
    # truthful legal action with rights
    T(
        "lawsuit_us",
        "{dear},\nIf we can't agree a plan, we may file a lawsuit for the balance of {money}. You would be served with "
        "court papers and would have the right to respond. We'd much rather work something out.",
        juris=("US",),
        channels=("letter", "email"),
    ),
    T(
        "mini_miranda",
        "This is a communication from a debt collector. This is an attempt to collect a debt and any information "
        "obtained will be used for that purpose. Please call us about your account.",
        juris=("US",),
        channels=("letter", "email"),
    ),
    T(
        "validation",
        "{dear},\nYou owe {money}. Call or write to us by {date} to dispute all or part of the debt. If you write to "
        "us by then, we must stop collection on any amount you dispute until we send you proof of the debt.",
        juris=("US",),
        channels=("letter", "email"),
    ),
    T(
        "dispute_ack",
        "{dear},\nWe've received your dispute and stopped collection while we look into it.",
        channels=("letter", "email", "sms"),
    ),
    T(
        "default_notice",
        "{dear},\nThis is a Default Notice under section 87(1) of the Consumer Credit Act 1974. You need to pay the "
        "arrears of {money} within 14 days of receiving it. If you do, no further action will be taken. If you're "
        "struggling, please contact us or {advice}.",
        juris=("UK",),
        channels=("letter",),
    ),
    T(
        "ccj",
        "{dear},\nIf we can't agree a way forward, we may ask the court for a County Court Judgment. You'd receive a "
        "claim form and have the chance to respond. We'd rather agree a plan - please get in touch.",
        juris=("UK",),
        channels=("letter", "email"),
    ),
    T(
        "complaint",
        "{dear},\nWe've looked into your complaint and upheld it. If you're not happy with our response, you can refer it to {regulator}.",
        channels=("letter", "email"),
    ),
    T(
        "breathing",
        "We've been told you're in Breathing Space. We've stopped contact about this debt and frozen interest and charges.",
        juris=("UK",),
        channels=("letter", "email", "sms"),
    ),
    T(
        "credit_report",
        "{dear},\nIf the account stays behind, we may report it to the credit reference agencies. We'll write to you before we do.",
        channels=("letter", "email"),
    ),
    # more short lines, casual register, and lawful mentions of work, court and police
    T("casual_ok", "np {first}, talk soon. no payment due till {date}.", purpose="reminder", channels=("sms",)),
    T("work_stop", "You asked us not to call you at {work}. We won't.", purpose="collection", channels=TEXTY),
    T("court_none", "There's no court case against you. We'd just like to agree a plan.", purpose="collection"),
    T(
        "fraud_report",
        "If you think someone took out this loan in your name, report it to the police and tell us - we'll pause "
        "collection while we check.",
        purpose="collection",
    ),
    T("date_moved", "Done - your due date is now the {n}th of each month.", purpose="service", channels=TEXTY),
    T(
        "kind_words",
        "Thanks for being so open with us, {first}. We're here to help.",
        purpose="reminder",
        channels=TEXTY,
    ),
    T("call_back_time", "Is {day} afternoon a good time for a quick call about your plan?", purpose="reminder"),
    T(
        "quote_kids",
        "{dear},\nYou said you're worried about {child}. Nothing about this account involves them, and we'll never contact them.",
        purpose="collection",
        channels=("email", "letter"),
    ),
    T(
        "cfpb",
        "If you have a complaint about how we've treated you, you can contact {regulator}.",
        purpose="collection",
        juris=("US",),
    ),
    T(
        "payment_holiday",
        "Your payment holiday has started. Your next payment will be on {date}.",
        purpose="service",
        channels=TEXTY,
    ),
    # location messages to emergency contacts mentioning no debt
    T(
        "loc_call",
        "Hi, we're trying to reach {first} {surname}. Could you ask them to call us on {phone}? Thank you.",
        role="emergency_contact",
        purpose="location",
        channels=("sms", "email"),
    ),
    T(
        "loc_number",
        "Hello, is this still the right number for {first} {surname}? If not, please reply and we'll remove it.",
        role="emergency_contact",
        purpose="location",
        channels=("sms",),
    ),
    T(
        "loc_letter",
        "Dear Sir or Madam,\nWe're trying to contact {first} {surname} and would be grateful if you could ask them to telephone us on {phone}.",
        role="emergency_contact",
        purpose="location",
        channels=("letter",),
    ),
    # executor
    T(
        "executor",
        "Dear {first},\nWe're sorry to hear of your {rel}'s death. As executor you're not personally responsible "
        "for their account; any balance is paid from the estate if funds allow. Please contact our bereavement team "
        "when you're ready.",
        role="third_party",
        channels=("letter", "email"),
    ),
]

# --- frames: drawn independently of the label ---------------------------------------------


def frame(rng: random.Random, body: str, jur: str, channel: str, framable: bool, collector_ok: bool) -> str:
    """Wrap a body with no frame, a partial frame (sender only) or a complete one (sender, number, opt-out)."""
    kind = rng.choice(("none", "none", "partial", "full")) if framable else "none"
    if kind == "none":
        return body
    sender = "{collector}" if collector_ok and rng.random() < 0.25 else "{lender}"
    if kind == "partial":
        return f"{sender}: {body}" if channel in ("sms", "app_push") else f"{body}\n{sender}"
    if channel in ("sms", "app_push"):
        tail = " Call {phone}." + (" {optout}" if jur == "US" else "")
        if jur == "UK":
            tail = " {optout}"
        return f"{sender}: {body}{tail}"
    tail = "\n{sender}, {phone}".replace("{sender}", sender)
    if jur == "US" and channel == "email":
        tail += "\n{optout}"
    return f"{body}{tail}"


ONE_PER_MESSAGE = ("first", "surname", "lender", "collector", "phone", "premium", "kin", "rel")


def one(rng: random.Random, label: str, t: T, evaded: bool) -> Draft:
    jur = rng.choice(list(t.juris))
    slots: dict[str, Sequence[str]] = {**COMMON, **(US if jur == "US" else UK)}
    for fixed in ONE_PER_MESSAGE:  # one person, one sender, one number throughout a message
        slots[fixed] = [rng.choice(slots[fixed])]
    channel = rng.choice(list(t.channels))
    body = apply_keys(t.body, lambda p: evade(rng, p)) if evaded else strip_keys(t.body)
    sender_ok = t.purpose not in ("location", "service")  # collectors send neither
    text = fill(rng, frame(rng, body, jur, channel, t.framable, sender_ok), slots)
    return Draft(
        text=tidy(text),
        lang="en",
        label=label,
        role=t.role,
        jurisdiction=jur,
        channel=channel,
        purpose=t.purpose,
        origin=f"template:dev2.{label}.{t.name}",
    )


def generate() -> list[Draft]:
    """English only, so a plain loop per label (cycle_templates wants a zh pool too)."""
    rng = random.Random(SEED)  # nosec B311
    out: list[Draft] = []
    seen: set[str] = set()
    plan: list[tuple[str, list[T], int]] = [(i, UNLAWFUL[i], UNLAWFUL_PER_INTENT) for i in INTENTS]
    plan.append(("lawful", LAWFUL_TEMPLATES, LAWFUL))
    for label, pool, wanted in plan:
        made = 0
        for attempt in range(wanted * ATTEMPTS_PER_MESSAGE):
            if made == wanted:
                break
            evaded = label != "lawful" and rng.random() < EVADE_SHARE
            d = one(rng, label, pool[attempt % len(pool)], evaded)
            if d.text not in seen:
                seen.add(d.text)
                out.append(d)
                made += 1
    return out
