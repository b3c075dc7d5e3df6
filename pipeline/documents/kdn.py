"""KDN's Divisions and agencies: the starting directory `ika init` writes into ika.toml.

Names and addresses as the Ministry and the agencies publish them; where no address is
published with confidence it is left empty, so `ika doc check` lists the entry as incomplete
and a letter that needs it stops with the key to fill instead of printing a guess. Officers'
names are not public: every signatory's name is empty until the archive's owner fills it in.
File references are each Division's own registry's business: empty until filled in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

HQ_ADDRESS = (
    "Blok D1 & D2, Kompleks D",
    "Pusat Pentadbiran Kerajaan Persekutuan",
    "62546 PUTRAJAYA",
)
HQ_PHONE = "03-8000 8000"  # the Ministry's published general line


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    name_en: str
    kind: str  # "bahagian" (a division of the Ministry) | "agensi" (a department or agency)
    head: str  # whom a letter to it is addressed to
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    posts: tuple[str, ...] = ("Setiausaha Bahagian",)  # the signatories' posts, names empty
    aliases: tuple[str, ...] = field(default=())


def _division(key: str, name: str, name_en: str, *aliases: str) -> Entry:
    return Entry(key, name, name_en, "bahagian", "Setiausaha Bahagian", HQ_ADDRESS, HQ_PHONE,
                 aliases=aliases)


DIVISIONS: tuple[Entry, ...] = (
    _division("KKA", "Bahagian Keselamatan dan Ketenteraman Awam",
              "Public Order and Security Division"),
    _division("HEI", "Bahagian Hal Ehwal Imigresen", "Immigration Affairs Division"),
    _division("PPA", "Bahagian Pengurusan Pekerja Asing", "Foreign Worker Management Division"),
    _division("PNP", "Bahagian Pendaftaran Negara dan Pertubuhan",
              "National Registration and Societies Division"),
    _division("MAPO", "Bahagian Antipemerdagangan Orang dan Antipenyeludupan Migran",
              "Anti-Trafficking in Persons and Anti-Smuggling of Migrants Division",
              "Sekretariat MAPO"),
    _division("PG", "Bahagian Perancangan dan Pembangunan", "Planning and Development Division"),
    _division("PKK", "Bahagian Penguatkuasaan dan Kawalan", "Enforcement and Control Division"),
    _division("PQ", "Bahagian Kawalan Penerbitan dan Teks Al-Quran",
              "Publication and Al-Quran Text Control Division"),
    Entry("PDRM", "Polis Diraja Malaysia", "Royal Malaysia Police", "agensi",
          "Ketua Polis Negara",
          ("Ibu Pejabat Polis Diraja Malaysia", "Bukit Aman", "50560 KUALA LUMPUR"),
          "03-2266 2222", website="www.rmp.gov.my", posts=("Ketua Polis Negara",)),
    Entry("JIM", "Jabatan Imigresen Malaysia", "Immigration Department of Malaysia", "agensi",
          "Ketua Pengarah Imigresen",
          ("Ibu Pejabat Imigresen Malaysia", "No. 15, Persiaran Perdana, Presint 2",
           "62550 PUTRAJAYA"),
          HQ_PHONE, website="www.imi.gov.my", posts=("Ketua Pengarah Imigresen",)),
    Entry("APMM", "Agensi Penguatkuasaan Maritim Malaysia",
          "Malaysian Maritime Enforcement Agency", "agensi", "Ketua Pengarah Maritim Malaysia",
          ("Aras 4-11, One IOI Square, IOI Resort", "62502 PUTRAJAYA"),
          website="www.mmea.gov.my", posts=("Ketua Pengarah Maritim Malaysia",)),
    Entry("AADK", "Agensi Antidadah Kebangsaan", "National Anti-Drugs Agency", "agensi",
          "Ketua Pengarah", ("Jalan Maktab Perguruan Islam", "43000 KAJANG, SELANGOR"),
          website="www.adk.gov.my", posts=("Ketua Pengarah",)),
    Entry("JPN", "Jabatan Pendaftaran Negara", "National Registration Department", "agensi",
          "Ketua Pengarah Pendaftaran Negara",
          ("No. 20, Persiaran Perdana, Presint 2", "62551 PUTRAJAYA"),
          HQ_PHONE, website="www.jpn.gov.my", posts=("Ketua Pengarah Pendaftaran Negara",)),
    Entry("RELA", "Jabatan Sukarelawan Malaysia (RELA)", "Malaysia Volunteers Corps Department",
          "agensi", "Ketua Pengarah",
          ("Aras 2-7, Blok D1, Kompleks D", "Pusat Pentadbiran Kerajaan Persekutuan",
           "62546 PUTRAJAYA"),
          website="www.rela.gov.my", posts=("Ketua Pengarah",)),
    Entry("PENJARA", "Jabatan Penjara Malaysia", "Malaysian Prison Department", "agensi",
          "Komisioner Jeneral Penjara", ("Ibu Pejabat Penjara Malaysia", "43000 KAJANG, SELANGOR"),
          website="www.prison.gov.my", posts=("Komisioner Jeneral Penjara",)),
    Entry("APM", "Angkatan Pertahanan Awam Malaysia", "Malaysia Civil Defence Force", "agensi",
          "Ketua Pengarah Pertahanan Awam", website="www.civildefence.gov.my",
          posts=("Ketua Pengarah Pertahanan Awam",)),
    Entry("JPPM", "Jabatan Pendaftaran Pertubuhan Malaysia", "Registry of Societies Malaysia",
          "agensi", "Ketua Pengarah Pendaftaran Pertubuhan", website="www.ros.gov.my",
          posts=("Ketua Pengarah Pendaftaran Pertubuhan",)),
    Entry("AKPS", "Agensi Kawalan dan Perlindungan Sempadan Malaysia",
          "Malaysian Border Control and Protection Agency", "agensi", "Ketua Pengarah",
          posts=("Ketua Pengarah",)),
)


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string


def _lines(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def toml_text() -> str:
    """The [divisions.KEY] tables of the default ika.toml."""
    out = []
    for e in DIVISIONS:
        out.append(f"[divisions.{e.key}]")
        out.append(f"kind = {_q(e.kind)}")
        out.append(f"name = {_q(e.name)}")
        out.append(f"name_en = {_q(e.name_en)}")
        if e.aliases:
            out.append(f"aliases = {_lines(e.aliases)}")
        out.append(f"head = {_q(e.head)}")
        out.append(f"address = {_lines(e.address)}")
        out.append(f"phone = {_q(e.phone)}")
        out.append(f"email = {_q(e.email)}")
        if e.website:
            out.append(f"website = {_q(e.website)}")
        out.append('file_ref = ""')
        sigs = ", ".join(f'{{ name = "", post = {_q(p)} }}' for p in e.posts)
        out.append(f"signatories = [{sigs}]")
        out.append("")
    return "\n".join(out)
