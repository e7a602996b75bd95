"""One demo entry's way through R4, up to the seeding day: each step dated, each an event.

Part of `seed_demo --entries` (demo.entries): it changes the entry's field
values (a dict) and appends events and ratings to the batch as tuples; nothing here queries.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from demo import entry_words as words
from feedback.constants import RatingChannel, Satisfaction
from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    ClosedReason,
    Colour,
    Decision,
    EntryStatus,
    EventKind,
    ReplyMethod,
    RequestKind,
    ReturnReason,
    SuspendReason,
)

if TYPE_CHECKING:
    from demo.entries import _Batch, _Generator

_RATINGS = (
    Satisfaction.VERY_SATISFIED,
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
    Satisfaction.UNSATISFIED,
)
_RATING_WEIGHTS = (45, 35, 12, 8)
_RETURN_REASONS = (
    ReturnReason.NOT_OUR_REMIT,
    ReturnReason.NOT_ENOUGH_INFORMATION,
    ReturnReason.DUPLICATE,
)
_SUSPEND_REASONS = (SuspendReason.AWAITING_BUDGET, SuspendReason.SEASONAL_WINDOW)
_REPLY_METHODS = (ReplyMethod.IN_PERSON, ReplyMethod.PHONE, ReplyMethod.SMS, ReplyMethod.LINK)


class Lifecycle:
    """Walk one entry through R4 up to today: every step dated, each step an event."""

    def __init__(
        self, gen: _Generator, rng: random.Random, batch: _Batch, index, entry, category, at
    ):
        self.gen, self.rng, self.batch, self.index, self.entry = gen, rng, batch, index, entry
        self.category = category
        self.at = at
        self.status = EntryStatus.RECORDED
        self.owner = entry["owner"]
        self.helpers: set[int] = set()  # the co-handling departments so far (one row each)

    def step(
        self, day: dt.date, kind: str, status: str | None, actor, info=None, **changes
    ) -> bool:
        """Take one step on `day` if that day has come, changing the entry's fields `changes`
        (the event also notes `info`); return whether it was taken."""
        if day > self.gen.today:
            return False
        self.at = self.gen.moment(self.rng, day, self.at)
        before, after = {}, dict(info or {})
        if status is not None and status != self.status:
            before["status"], after["status"] = self.status, status
            self.status = status
        for name, value in changes.items():
            after[name] = value.isoformat() if isinstance(value, dt.date) else value
        self.entry.update(changes)
        self.gen.event(self.batch, self.index, kind, actor, self.at, "", before, after)
        return True

    def run(self) -> None:
        rng, entry = self.rng, self.entry
        day = entry["recorded_on"]
        if rng.random() < 0.03:  # voided: a duplicate, withdrawn, or recorded by mistake
            void_day = day + dt.timedelta(days=rng.randint(0, 10))
            if self.step(void_day, EventKind.VOIDED, EntryStatus.VOID, self.owner):
                entry["void_reason"] = rng.choice(words.VOID_REASONS)
                return self.finish()
        self.transfer(day)
        self.handle(day, entry["due_on"], rounds=0)
        self.finish()

    def transfer(self, day: dt.date) -> None:
        """Now and then the owner moves on and the branch's secretary takes the entry over (R3).

        Drawn from a random source of its own, so that the rest of the demo stays as it was."""
        secretary = self.gen.secretaries.get(self.entry["org"])
        chance = random.Random(f"seed_demo:transfer:{self.index}:{self.at.isoformat()}")
        if secretary in (None, self.owner) or chance.random() >= 0.03:
            return
        transfer_day = day + dt.timedelta(days=1)
        if transfer_day > self.gen.today:
            return
        self.at = self.gen.moment(self.rng, transfer_day, self.at)
        before, after = {"owner": self.owner}, {"owner": secretary}
        note = words.TRANSFER_NOTE
        self.gen.event(
            self.batch, self.index, EventKind.TRANSFERRED, self.owner, self.at, note, before, after
        )
        self.owner = self.entry["owner"] = secretary

    def handle(self, day: dt.date, due_on: dt.date, rounds: int) -> bool:
        """Handle one round: from `day` to the reply and the rating. Return whether replied."""
        rng, entry = self.rng, self.entry
        lateness = rng.random()
        late = lateness < 0.16
        if lateness < 0.04:  # stuck: months late, the supervision board's cases (督办)
            reply_day = due_on + dt.timedelta(days=rng.randint(31, 240))
        elif late:
            reply_day = due_on + dt.timedelta(days=rng.randint(1, 30))
        else:
            reply_day = day + dt.timedelta(days=rng.randint(0, max(0, (due_on - day).days)))
        span = max(0, (reply_day - day).days)

        def at(fraction: float) -> dt.date:
            return day + dt.timedelta(days=round(span * fraction))

        owner = self.owner
        path = rng.random()
        if rounds == 0 and path < 0.2 and not late:  # resolved on the spot (当场解决)
            reply_day = day + dt.timedelta(days=rng.randint(0, 1))
            result = rng.choice(words.RESULTS)
            if not self.step(
                day, EventKind.RESOLVED_ON_SPOT, EntryStatus.RESOLVED, owner, result=result
            ):
                return False
            entry["resolved_at"] = self.at
        else:
            if rounds == 0 and not self.step(
                at(0.1), EventKind.STARTED, EntryStatus.IN_PROGRESS, owner
            ):
                return False
            if path < 0.65:  # referred to a department (活页交办)
                department = rng.choice(
                    self.gen.departments.get(self.category, []) or self.gen.any_department
                )
                if not self.step(
                    at(0.2), EventKind.REFERRED, EntryStatus.REFERRED, owner, department=department
                ):
                    return self.progress(day)
                entry["referral_note"] = "请按活页交办单研究解决。"
                entry["referred_at"] = self.at
                if not self.referral(day=at(0.2), until=at(0.45), department=department):
                    return self.progress(day)
                if not self.step(
                    at(0.45),
                    EventKind.PLAN_RECORDED,
                    EntryStatus.PLANNED,
                    None,
                    plan=rng.choice(words.PLANS),
                ):
                    return self.progress(day)
                if not self.step(
                    at(0.85),
                    EventKind.RESULT_RECORDED,
                    EntryStatus.RESOLVED,
                    None,
                    result=rng.choice(words.RESULTS),
                ):
                    return self.progress(day)
            elif not self.step(
                at(0.8),
                EventKind.RESOLVED_ON_SPOT,
                EntryStatus.RESOLVED,
                owner,
                result=rng.choice(words.RESULTS),
            ):
                return self.progress(day)
            entry["resolved_at"] = self.at
        due_on = self.extension(day, due_on, reply_day)
        due_on = self.suspension(day, due_on, reply_day)
        self.progress(day, until=reply_day)
        if reply_day <= self.gen.today:  # else the entry still waits: finish() looks
            self.overdue(due_on, until=reply_day)
        method = rng.choice(_REPLY_METHODS)
        if not self.step(
            reply_day,
            EventKind.REPLIED,
            EntryStatus.REPLIED,
            owner,
            reply_method=method,
            replied_on_time=reply_day <= due_on,
        ):
            return False
        entry.update(reply_text=rng.choice(words.REPLIES), replied_at=self.at, is_overdue=False)
        self.rate(reply_day, rounds)
        return True

    def extension(self, day: dt.date, due_on: dt.date, reply_day: dt.date) -> dt.date:
        """Now and then an owner who will need a little longer asks before the due date for an
        extension (延期, R19) and the branch's secretary approves it: the reply then comes on
        time against the new date. Return the due date that holds.

        Drawn from a random source of its own, so that the rest of the demo stays as it was."""
        chance = random.Random(f"seed_demo:extension:{self.index}:{self.at.isoformat()}")
        ask_day = max(day, due_on - dt.timedelta(days=2))
        if not (due_on < reply_day <= due_on + dt.timedelta(days=20)) or chance.random() >= 0.3:
            return due_on
        approver = self.gen.secretaries.get(self.entry["org"])
        if approver in (None, self.owner):
            approver = self.gen.party_building
        if not self.step(
            ask_day, EventKind.EXTENSION_REQUESTED, None, self.owner,
            {"request_date": reply_day.isoformat()}, request_kind=RequestKind.EXTENSION,
        ):  # fmt: skip
            return due_on
        if not self.step(
            ask_day + dt.timedelta(days=1), EventKind.EXTENSION_DECIDED, None, approver,
            {"decision": Decision.APPROVE}, request_kind="", due_on=reply_day, extended_from=due_on,
            extensions=1,
        ):  # fmt: skip
            return due_on
        return reply_day

    def suspension(self, day: dt.date, due_on: dt.date, reply_day: dt.date) -> dt.date:
        """Now and then a matter waits on a budget or an outage window: the owner asks to
        suspend it (挂起, R20), the approver agrees, and a week later it resumes with its due
        date moved by the working days it stood still. Return the due date that holds.

        Drawn from a random source of its own, so that the rest of the demo stays as it was."""
        chance = random.Random(f"seed_demo:suspension:{self.index}:{self.at.isoformat()}")
        ask_day = day + dt.timedelta(days=2)
        decide_day = ask_day + dt.timedelta(days=1)
        resume_day = decide_day + dt.timedelta(days=7)
        if chance.random() >= 0.04 or not (resume_day < reply_day and resume_day <= due_on):
            return due_on
        if resume_day > self.gen.today:
            return due_on
        approver = self.gen.secretaries.get(self.entry["org"])
        if approver in (None, self.owner):
            approver = self.gen.party_building
        reason = chance.choice(_SUSPEND_REASONS)
        asked = {"request_code": reason}
        if not self.step(
            ask_day, EventKind.SUSPENSION_REQUESTED, None, self.owner, asked,
            request_kind=RequestKind.SUSPENSION,
        ):  # fmt: skip
            return due_on
        if not self.step(decide_day, EventKind.SUSPENSION_DECIDED, None, approver,
                         {"decision": Decision.APPROVE}, request_kind="", suspended_on=decide_day,
                         suspensions=1):  # fmt: skip
            return due_on
        calendar = self.gen.calendar
        stood = max(0, calendar.working_days_between(decide_day, resume_day))
        new_due = calendar.add_working_days(due_on, stood).due_on if stood else due_on
        if not self.step(resume_day, EventKind.RESUMED, None, self.owner,
                         {"working_days": stood}, due_on=new_due, suspended_on=None,
                         suspended_working_days=stood):  # fmt: skip
            return due_on
        return new_due

    def referral(self, *, day: dt.date, until: dt.date, department: int) -> bool:
        """The department signs for the referral (签收, R17) the next day; now and then it
        returns it first (退单) and the owner refers it elsewhere, and a referral returned twice
        is decided by the party-building department (审定). Return whether it was signed for.

        Drawn from a random source of its own, so that the rest of the demo stays as it was."""
        chance = random.Random(f"seed_demo:referral:{self.index}:{self.at.isoformat()}")
        handler = self.gen.handlers.get(department)
        returns = 2 if chance.random() < 0.01 else 1 if chance.random() < 0.05 else 0
        others = [d for d in self.gen.any_department if d != department]
        for n in range(returns):
            if not others or not self.step(
                day + dt.timedelta(days=1),
                EventKind.REFERRAL_RETURNED,
                EntryStatus.IN_PROGRESS,
                handler,
                {"return_reason": chance.choice(_RETURN_REASONS)},
                department=None,
                referred_at=None,
                referral_returns=n + 1,
            ):
                return False
            department = chance.choice(others)
            handler = self.gen.handlers.get(department)
            kind = EventKind.ARBITRATED if n + 1 == 2 else EventKind.REFERRED
            actor = self.gen.party_building if kind == EventKind.ARBITRATED else self.owner
            day += dt.timedelta(days=1)
            if not self.step(day, kind, EntryStatus.REFERRED, actor, department=department):
                return False
            self.entry["referred_at"] = self.at
        sign_day = min(day + dt.timedelta(days=1), until)
        if not self.step(sign_day, EventKind.SIGNED_FOR, None, handler, signed_by=handler):
            return False
        self.entry["signed_at"] = self.at
        helpers = [d for d in others if d != department and d not in self.helpers]
        if helpers and chance.random() < 0.08:  # a second department helps (协办, R18)
            helper = chance.choice(helpers)
            self.helpers.add(helper)
            adder = handler or self.owner
            if self.step(sign_day, EventKind.COHANDLER_ADDED, None, adder, {"cohandler": helper}):
                self.batch.cohandlers.append((self.index, helper, adder, self.at))
                part_day = min(sign_day + dt.timedelta(days=2), until)
                if part_day <= self.gen.today:
                    self.at = self.gen.moment(self.rng, part_day, self.at)
                    self.gen.event(
                        self.batch, self.index, EventKind.PROGRESS_NOTE,
                        self.gen.handlers.get(helper), self.at, words.COHANDLER_PART, {}, {},
                    )  # fmt: skip
        return True

    def rate(self, reply_day: dt.date, rounds: int) -> None:
        rng, entry = self.rng, self.entry
        if rng.random() < 0.15:  # no rating within 10 working days: closed as not rated
            close_day = reply_day + dt.timedelta(days=15)
            if self.step(
                close_day,
                EventKind.CLOSED,
                EntryStatus.CLOSED,
                None,
                closed_reason=ClosedReason.NOT_RATED,
            ):
                entry["closed_at"] = self.at
            return
        rate_day = reply_day + dt.timedelta(days=rng.randint(0, 12))
        value = rng.choices(_RATINGS, _RATING_WEIGHTS)[0]
        if rounds:
            value = rng.choice(_RATINGS[:3])  # the second round settles it
        link = rng.random() < 0.3
        actor = None if link else self.owner
        channel = RatingChannel.LINK if link else RatingChannel.OWNER
        # Most return visits are the branch secretary's, a third party (回访, R21); drawn from
        # a random source of its own, so that the rest of the demo stays as it was.
        chance = random.Random(f"seed_demo:return-visit:{self.index}:{rounds}")
        secretary = self.gen.secretaries.get(self.entry["org"])
        if not link and secretary not in (None, self.owner) and chance.random() < 0.6:
            actor, channel = secretary, RatingChannel.RETURN_VISIT
        if not self.step(
            rate_day, EventKind.RATED, None, actor,
            {"rating": value, "round": rounds, "channel": channel},
        ):  # fmt: skip
            return
        unsatisfied = value == Satisfaction.UNSATISFIED
        comment = rng.choice(words.UNSATISFIED_COMMENTS if unsatisfied else words.COMMENTS)
        self.batch.ratings.append((self.index, value, comment, channel, actor, rounds, self.at))
        if not unsatisfied:
            self.step(
                rate_day,
                EventKind.CLOSED,
                EntryStatus.CLOSED,
                actor,
                closed_reason=ClosedReason.RATED,
            )
            entry["closed_at"] = self.at
            return
        colour = entry["colour"]
        due_on, provisional, target_on = self.gen.deadline(rng, colour, rate_day)
        self.step(
            rate_day,
            EventKind.REOPENED,
            EntryStatus.IN_PROGRESS,
            actor,
            due_on=due_on,
            reopen_count=rounds + 1,
        )
        entry.update(
            due_provisional=provisional,
            target_on=target_on,
            overdue_since=None,
            is_overdue=False,
        )
        self.handle(rate_day, due_on, rounds=rounds + 1)

    def progress(self, day: dt.date, until: dt.date | None = None) -> bool:
        """Monthly progress notes on a yellow entry (R1), up to `until` or today."""
        if self.entry.get("colour") != Colour.YELLOW:
            return False
        end = min(until or self.gen.today, self.gen.today)
        note_day = day + dt.timedelta(days=30)
        skip_last = self.rng.random() < 0.15  # some notes come late: the monthly review shows it
        while note_day <= end and not (skip_last and note_day + dt.timedelta(days=30) > end):
            self.at = self.gen.moment(self.rng, note_day, self.at)
            note = self.rng.choice(words.PROGRESS_NOTES)
            self.gen.event(
                self.batch,
                self.index,
                EventKind.PROGRESS_NOTE,
                self.owner,
                self.at,
                note,
                {},
                {"last_progress_on": note_day.isoformat()},
            )
            self.entry["last_progress_on"] = note_day
            note_day += dt.timedelta(days=30)
        return False

    def overdue(self, due_on: dt.date, until: dt.date) -> None:
        """The nightly sweep flags an entry the night after its due date (R6)."""
        flagged = due_on + dt.timedelta(days=1)
        sweep_ran = flagged < self.gen.today  # last night's sweep has seen it
        if flagged < until and sweep_ran:
            at = dt.datetime.combine(flagged, dt.time(1, 0), tzinfo=self.gen.tz)
            self.gen.event(
                self.batch,
                self.index,
                EventKind.OVERDUE,
                None,
                at,
                "",
                {},
                {"overdue_since": flagged.isoformat()},
            )
            self.entry.update(is_overdue=True, overdue_since=flagged)

    def finish(self) -> None:
        entry = self.entry
        entry["status"] = self.status
        if self.status in AWAITING_REPLY_STATUSES:
            self.overdue(entry["due_on"], until=self.gen.today + dt.timedelta(days=1))
        entry["updated_at"] = self.at
        entry["version"] = self.batch.event_counts[self.index]
