"""camt.053 statements read from the real fixture files, checked against the balances their READMEs state.

The four files are in ``shared/fixtures/camt053-moov-io`` and ``shared/fixtures/camt053-dvbern``. A
camt.053.001.08 statement and the malformed documents are written as text in the test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kontobok.core.errors import ValidationFailed
from kontobok.core.statements import StatedBalance, Statement, StatementEntry
from kontobok.importers.camt053 import read_camt053
from tests.fixtures import FIXTURES

MOOV = FIXTURES / "camt053-moov-io"
DVBERN = FIXTURES / "camt053-dvbern"


def read_one(path: Path) -> Statement:
    [statement] = read_camt053(path)
    return statement


def credits(statement: Statement) -> int:
    return sum(entry.amount for entry in statement.entries if entry.amount > 0)


def debits(statement: Statement) -> int:
    return -sum(entry.amount for entry in statement.entries if entry.amount < 0)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "statement.xml"
    path.write_text(text, encoding="utf-8")
    return path


def problem_of(path: Path) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        list(read_camt053(path))
    [problem] = caught.value.problems
    return problem.path, problem.message


def test_finnish_sample_adds_up_by_booking_date() -> None:
    statement = read_one(MOOV / "FI_camt_053_sample.xml")
    assert statement.identity == "BANKSTMTID0972009/120/FI7433010001222090"
    assert statement.account_number == "FI7433010001222090"
    assert statement.opening == StatedBalance(date(2009, 10, 29), 1000000, "EUR")
    assert statement.closing == StatedBalance(date(2009, 10, 29), 2364483, "EUR")
    assert len(statement.entries) == 10
    assert credits(statement) == 2307500
    assert debits(statement) == 943017
    assert statement.difference == 0
    # One entry is valued the next day and still counted in the day's CLBD.
    [late] = [entry for entry in statement.entries if entry.value_date != entry.booking_date]
    assert (late.booking_date, late.value_date, late.amount) == (
        date(2009, 10, 29),
        date(2009, 10, 30),
        212000,
    )
    assert late.description == "INVOICE US20291092"
    assert late.counterparty_name == "DEBTOR NAME"


def test_finnish_sample_entries_carry_codes_references_and_counterparties() -> None:
    entries = read_one(MOOV / "FI_camt_053_sample.xml").entries
    assert entries[0] == StatementEntry(
        booking_date=date(2009, 10, 29),
        amount=-100012,
        currency="EUR",
        value_date=date(2009, 10, 29),
        bank_reference="091029ACCTSTMTARCH01",
        domain_code="PMNT",
        family_code="ICDT",
        subfamily_code="SALA",
    )
    # A batch of three payments to one creditor at two accounts: the name is common, the account is not.
    assert entries[2].counterparty_name == "Creditor Company"
    assert entries[2].counterparty_account is None
    assert entries[2].description == "Invoices 123 and 321"


def test_postfinance_closing_follows_the_value_date() -> None:
    statement = read_one(MOOV / "camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml")
    assert statement.identity == "20201124375204229003973/118/CH2909000000250094239"
    assert statement.currency == "CHF"
    assert statement.opening.amount == 21199319
    assert statement.closing == StatedBalance(date(2020, 11, 24), 21511221, "CHF")
    assert len(statement.entries) == 5
    assert sum(entry.amount for entry in statement.entries) == 465602
    assert statement.difference == -153700
    [missing] = [entry for entry in statement.entries if entry.value_date == date(2020, 11, 25)]
    assert (missing.amount, missing.booking_date) == (153700, date(2020, 11, 24))


def test_business_sample_reads_other_account_ids_and_booking_date_times() -> None:
    statement = read_one(DVBERN / "business_sample_camt.053.001.04.xml")
    assert statement.identity == "AAAASESS-FP-STAT001//50000000054910000003"
    assert statement.account_number == "50000000054910000003"
    assert statement.opening == StatedBalance(date(2010, 10, 15), 50000000, "SEK")
    assert statement.closing == StatedBalance(date(2010, 10, 18), 43567850, "SEK")
    assert len(statement.entries) == 3
    assert (credits(statement), debits(statement)) == (13567850, 20000000)
    assert statement.difference == 0
    assert {entry.booking_date for entry in statement.entries} == {date(2010, 10, 18)}
    assert statement.entries[0].counterparty_name == "MUELLER"


def test_postfinance_test_file_adds_up() -> None:
    statement = read_one(DVBERN / "camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml")
    assert statement.opening == StatedBalance(date(2016, 4, 29), 32215216, "CHF")
    assert statement.closing == StatedBalance(date(2016, 4, 30), 32268977, "CHF")
    assert len(statement.entries) == 13
    assert (credits(statement), debits(statement)) == (181056, 127295)
    assert statement.difference == 0
    booking_dates = [entry.booking_date for entry in statement.entries]
    assert (min(booking_dates), max(booking_dates)) == (date(2016, 4, 6), date(2016, 5, 27))


VERSION_08 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-0229</MsgId><CreDtTm>2024-03-01T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-0229</Id>
      <ElctrncSeqNb>59</ElctrncSeqNb>
      <CreDtTm>2024-03-01T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>NO9386011117947</IBAN></Id><Ccy>NOK</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="NOK">1250.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-02-28</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="NOK">3500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2024-02-29T23:59:59+01:00</DtTm></Dt>
      </Bal>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="NOK">5000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2024-02-29T09:30:00+01:00</DtTm></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt>
        <AcctSvcrRef>BANK-REF-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <RltdPties>
            <Dbtr><Pty><Nm>Kari Nordmann</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>NO8330001234567</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>Faktura 1001</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2</NtryRef>
        <Amt Ccy="NOK">249.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-02-29</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>POSD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <AddtlNtryInf>Kortkjøp Rema 1000</AddtlNtryInf>
      </Ntry>
      <Ntry>
        <Amt Ccy="NOK">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
        <BookgDt><Dt>2024-02-29</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_version_08_reads_the_same_way(tmp_path: Path) -> None:
    statement = read_one(write(tmp_path, VERSION_08))
    assert statement.identity == "STMT-0229/59/NO9386011117947"
    assert statement.opening == StatedBalance(date(2024, 2, 28), -125050, "NOK")  # PRCD, debit: overdrawn
    assert statement.closing == StatedBalance(date(2024, 2, 29), 350000, "NOK")
    assert statement.entries == (
        StatementEntry(
            booking_date=date(2024, 2, 29),
            amount=500000,
            currency="NOK",
            value_date=date(2024, 3, 1),
            bank_reference="BANK-REF-1",
            description="Faktura 1001",
            counterparty_name="Kari Nordmann",
            counterparty_account="NO8330001234567",
            domain_code="PMNT",
            family_code="RCDT",
            subfamily_code="DMCT",
        ),
        StatementEntry(
            booking_date=date(2024, 2, 29),
            amount=-24950,
            currency="NOK",
            bank_reference="2",
            description="Kortkjøp Rema 1000",
            domain_code="PMNT",
            family_code="CCRD",
            subfamily_code="POSD",
        ),
    )  # the pending entry is not booked and not read
    assert statement.difference == 0


def test_a_document_that_is_not_xml_is_refused(tmp_path: Path) -> None:
    where, message = problem_of(write(tmp_path, ":20:REF\n:25:NL00BANK0123456789\n"))
    assert where == "line 1"
    assert message.startswith("not well-formed XML")


def test_a_cut_off_document_names_the_line_where_it_breaks(tmp_path: Path) -> None:
    where, message = problem_of(write(tmp_path, VERSION_08[: VERSION_08.index("<Ntry>")]))
    assert where == "line 18"
    assert message.startswith("not well-formed XML")


def test_a_statement_without_closing_balance_names_its_line(tmp_path: Path) -> None:
    text = VERSION_08.replace("<Cd>CLBD</Cd>", "<Cd>CLAV</Cd>")
    assert problem_of(write(tmp_path, text)) == ("line 5", "Stmt has no closing balance (Bal of type CLBD)")


def test_an_entry_without_sign_names_its_line(tmp_path: Path) -> None:
    text = VERSION_08.replace("<CdtDbtInd>DBIT</CdtDbtInd><Sts>", "<Sts>")
    assert problem_of(write(tmp_path, text)) == ("line 32", "Ntry has CdtDbtInd '', not CRDT or DBIT")


def test_a_document_without_statements_is_refused(tmp_path: Path) -> None:
    text = (
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>'
    )
    where, message = problem_of(write(tmp_path, text))
    assert where == "line 1"
    assert message.startswith("no Stmt element")
