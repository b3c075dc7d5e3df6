"""The bilingual glossary of the ministry's subjects, declared once as data.

Each line of `_TABLE` pairs the Malay names of one subject with its English names: the first
name on each side is the preferred term, the others are variants found in texts (synonyms,
spellings, singular and plural need not both be listed: the search stems them). Lines are grouped
by the field KDN negotiates in. The search (`pipeline.search`) turns every name found in a
title or text into a hidden concept token, so a query in either language finds texts in both;
multi-word names match only as a whole, in order ("free trade" never matches "pemerdagangan
orang").

Curating: keep each name in one subject only (a test checks), use the official Malay term of
the Act or agency where there is one, and avoid names that contain a country, instrument type or
level name (those are matched first). After a change, `ika reindex` brings existing indexes up to
date (or bump `pipeline.search.SCHEMA_VERSION`, which makes every archive rebuild its index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["FIELDS", "TERMS", "Term", "by_id"]


@dataclass(frozen=True)
class Term:
    """One subject: its id (from the first English name), field, Malay and English names."""

    id: str
    field: str
    ms: tuple[str, ...]
    en: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.ms, *self.en)


# Malay names ; ... = English names ; ...   under [field]; an indented line continues the last.
_TABLE = """
[security]
keselamatan = security
keselamatan negara = national security
Majlis Keselamatan Negara = National Security Council
keselamatan awam = public security; public safety
ketenteraman awam = public order
keselamatan dan ketenteraman awam = public security and public order
ketahanan negara = national resilience
keamanan; perdamaian = peace
pertahanan = defence; defense
ancaman keselamatan = security threat
penilaian ancaman = threat assessment
perisikan; risikan = intelligence
perkongsian risikan; pertukaran risikan = intelligence sharing; exchange of intelligence
pertukaran maklumat; perkongsian maklumat = exchange of information; information sharing;
    sharing of information
pengintipan = espionage
rahsia rasmi = official secrets
hasutan = sedition
perhimpunan aman = peaceful assembly
rusuhan = riot
ekstremisme; fahaman pelampau; fahaman ekstremis = extremism
ekstremisme ganas = violent extremism
radikalisasi = radicalisation; radicalization
deradikalisasi = deradicalisation; deradicalization
senjata = weapons
senjata api = firearms
bahan letupan = explosives
senjata pemusnah besar-besaran = weapons of mass destruction
infrastruktur maklumat kritikal; infrastruktur kritikal = critical information infrastructure;
    critical infrastructure
pengurusan krisis = crisis management
pengawal keselamatan = security guards
penyaringan keselamatan = security screening
pengawasan = surveillance
pemantauan = monitoring
pemeriksaan = inspection
amaran awal = early warning

[police]
polis; kepolisan = police; policing
polis bantuan = auxiliary police
kerjasama polis = police cooperation
penguatkuasaan undang-undang = law enforcement
kerjasama penguatkuasaan undang-undang = law enforcement cooperation
penyiasatan jenayah = criminal investigation
siasatan bersama = joint investigation
operasi bersama = joint operations
forensik = forensics
cap jari = fingerprints
biometrik = biometrics
notis merah = red notice
Pertubuhan Polis Jenayah Antarabangsa = International Criminal Police Organization;
    International Criminal Police Organisation
orang buruan; pesalah buruan = fugitives; fugitive offenders
jenayah = crime
pencegahan jenayah = crime prevention
mangsa jenayah = victims of crime; crime victims
kesalahan jenayah = criminal offences; criminal offenses
jenayah terancang = organised crime; organized crime
jenayah rentas sempadan = transnational crime; cross-border crime; transnational organised crime;
    transnational organized crime
jenayah kewangan = financial crime
jenayah komersial = commercial crime
jenayah kolar putih = white-collar crime
penipuan = fraud
pemalsuan dokumen = document fraud; document forgery; forged documents
wang palsu = counterfeit currency
penculikan = kidnapping; abduction
rompakan bersenjata = armed robbery
perjudian haram = illegal gambling
kongsi gelap = secret societies; triads
keganasan rumah tangga = domestic violence
perlindungan saksi = witness protection
rasuah = corruption
anjing pengesan = detector dogs; sniffer dogs

[immigration]
imigresen; imigrasi = immigration
pendatang; imigran = immigrants
pendatang asing tanpa izin; pendatang tanpa izin; migran tidak berdokumen = illegal immigrants;
    undocumented migrants; irregular migrants
migran = migrants
penghijrahan; migrasi = migration
warga asing = foreign nationals; foreigners
pekerja asing = foreign workers
pekerja migran = migrant workers
pengambilan pekerja asing = recruitment of foreign workers
pasport = passport
dokumen perjalanan = travel documents
visa = visa
pengecualian visa = visa exemption; visa waiver
pas lawatan = visit pass
pas pelajar = student pass
permit kerja = work permit
permit masuk = entry permit
kemasukan haram = illegal entry
tinggal lebih masa = overstay; overstaying
pintu masuk = point of entry; entry point
pengusiran = deportation; expulsion
penghantaran pulang; hantar pulang = repatriation
pemulangan secara sukarela; pemulangan sukarela = voluntary repatriation; voluntary return
penerimaan semula = readmission
depot tahanan imigresen; depoh tahanan imigresen = immigration detention depot; immigration depot
penempatan semula = resettlement
pelarian = refugees
kem pelarian = refugee camps
pencari suaka = asylum seekers
suaka = asylum
perlindungan antarabangsa = international protection
orang tanpa kewarganegaraan = stateless persons; statelessness
kuarantin = quarantine
kastam = customs

[border management]
sempadan = border; boundary
pengurusan sempadan = border management
kawalan sempadan = border control
keselamatan sempadan = border security
rentas sempadan = cross-border
lintasan sempadan = border crossing
pos kawalan sempadan = border checkpoint; border control post
jawatankuasa sempadan am = general border committee

[prisons]
penjara; pemenjaraan = prison; imprisonment
banduan = prisoners; inmates
pemindahan banduan; pemindahan orang yang dihukum = transfer of sentenced persons;
    transfer of prisoners; international transfer of prisoners
pengurusan penjara = prison management
pemulihan banduan; pemulihan pesalah = rehabilitation of prisoners; offender rehabilitation
parol = parole
hukuman mati = death penalty; capital punishment
pesalah muda = young offenders; juvenile offenders
perintah khidmat masyarakat = community service order
penahanan; tahanan = detention; detainees; detain
tahanan pencegahan = preventive detention

[drugs]
dadah; narkotik = narcotic drugs; drugs; narcotics
dadah berbahaya = dangerous drugs
penyalahgunaan dadah; salah guna dadah = drug abuse; drug misuse
penagihan dadah; penagih dadah; ketagihan dadah = drug addiction; drug addicts; drug dependence
pemulihan dadah = drug rehabilitation; drug treatment and rehabilitation
pencegahan dadah = drug prevention; prevention of drug abuse
pengedaran dadah; pengedar dadah = drug trafficking; drug traffickers
penyeludupan dadah = drug smuggling
penyitaan dadah = drug seizures
bahan psikotropik = psychotropic substances
bahan kimia prekursor = precursor chemicals
dadah sintetik = synthetic drugs
metamfetamina; syabu = methamphetamine
ganja = cannabis; marijuana
kokain = cocaine

[civil defence]
pertahanan awam = civil defence; civil defense
angkatan pertahanan awam = civil defence force; civil defense force
bencana = disaster
pengurusan bencana = disaster management
pengurangan risiko bencana = disaster risk reduction
bantuan bencana = disaster relief
bantuan kemanusiaan = humanitarian assistance; humanitarian aid
mencari dan menyelamat = search and rescue
tindak balas kecemasan = emergency response
darurat = state of emergency
pertolongan cemas = first aid
banjir = floods

[maritime enforcement]
penguatkuasaan maritim = maritime enforcement
keselamatan maritim = maritime security
pengawal pantai = coast guard
kelanunan; lanun = piracy; pirates
rompakan bersenjata terhadap kapal = armed robbery against ships
penangkapan ikan secara haram; penangkapan ikan haram = illegal fishing
pencerobohan = intrusion; encroachment; incursion
perairan wilayah; laut wilayah = territorial waters; territorial sea
zon ekonomi eksklusif = exclusive economic zone
pencemaran laut = marine pollution
rondaan bersama = joint patrols; coordinated patrols
keselamatan pelayaran = safety of navigation

[national registration]
pendaftaran negara = national registration
kad pengenalan = identity card
dokumen pengenalan diri = identity documents
pengurusan identiti = identity management
kecurian identiti = identity theft
pendaftaran kelahiran = birth registration; registration of births
pendaftaran kematian = death registration; registration of deaths
sijil kelahiran = birth certificate
pendaftaran perkahwinan = marriage registration; registration of marriages
kewarganegaraan; warganegara = citizenship; citizens
pemastautin tetap; penduduk tetap = permanent residents; permanent residence
pendaftaran pertubuhan = registration of societies
pertubuhan haram = unlawful societies
kawalan penerbitan = publications control; control of publications
penapisan filem = film censorship

[volunteers]
sukarelawan; kesukarelawanan = volunteers; volunteerism

[trafficking and smuggling]
pemerdagangan orang; pemerdagangan manusia = trafficking in persons; human trafficking;
    trafficking in human beings; trafficking of persons
mangsa pemerdagangan orang = victims of trafficking in persons; victims of trafficking
penyeludupan migran = smuggling of migrants; migrant smuggling
penyeludupan = smuggling
buruh paksa; kerja paksa = forced labour; forced labor
eksploitasi seksual; eksploitasi seks = sexual exploitation
perlindungan mangsa = protection of victims; victim protection
rumah perlindungan; tempat perlindungan = shelter homes; shelters
pemerdagangan senjata api = trafficking in firearms; firearms trafficking
pemerdagangan hidupan liar = wildlife trafficking
perdagangan bebas = free trade
perdagangan = trade
perdagangan haram = illicit trade

[extradition and mutual legal assistance]
ekstradisi = extradition
bantuan bersama dalam perkara jenayah; bantuan perundangan bersama dalam perkara jenayah;
    bantuan bersama = mutual legal assistance in criminal matters;
    mutual assistance in criminal matters; mutual legal assistance
pihak berkuasa pusat = central authority
keterangan = evidence
pengambilan keterangan = taking of evidence
penyampaian dokumen = service of documents
bidang kuasa = jurisdiction
Peguam Negara = Attorney General
kedaulatan undang-undang = rule of law
hak asasi manusia = human rights

[money laundering]
pengubahan wang haram = money laundering
pembiayaan keganasan = terrorism financing; financing of terrorism; terrorist financing
hasil daripada aktiviti haram = proceeds of unlawful activities
hasil jenayah = proceeds of crime
penyitaan aset; penyitaan harta = seizure of assets; asset seizure
perlucuthakan harta; perlucuthakan aset = forfeiture of property; asset forfeiture
pengesanan aset = asset tracing
pembekuan aset = asset freezing; freezing of assets
pengembalian aset = asset recovery

[terrorism]
keganasan; pengganas = terrorism; terrorists
pencegahan keganasan; pembanterasan keganasan = prevention of terrorism; counter-terrorism;
    counterterrorism
pejuang pengganas asing = foreign terrorist fighters
kumpulan pengganas = terrorist groups
serangan pengganas = terrorist attacks

[cyber security]
keselamatan siber = cyber security; cybersecurity
jenayah siber = cybercrime; cyber crime
serangan siber = cyber attacks; cyberattacks
ancaman siber = cyber threats
perlindungan data peribadi = personal data protection
penipuan dalam talian = online fraud; online scams

[cooperation]
pembinaan kapasiti; pembangunan kapasiti = capacity building
latihan = training
latihan bersama = joint training
jawatankuasa bersama = joint committee
kumpulan kerja bersama = joint working group
amalan terbaik = best practices
lawatan sambil belajar = study visit
pegawai perhubungan = liaison officer
bantuan teknikal = technical assistance
kerjasama teknikal = technical cooperation
kerjasama keselamatan = security cooperation
"""

_HEADER = re.compile(r"^\[(.+)\]$")
_SLUG = re.compile(r"[^a-z0-9]+")


def _names(side: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in side.split(";") if n.strip())


def _lines(table: str) -> list[str]:
    """The table's lines, an indented line joined to the one before it."""
    out: list[str] = []
    for raw in table.splitlines():
        if raw[:1].isspace() and raw.strip() and out:
            out[-1] = f"{out[-1]} {raw.strip()}"
        elif raw.strip():
            out.append(raw.strip())
    return out


def _parse(table: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    field = ""
    for raw in _lines(table):
        line = raw
        header = _HEADER.match(line)
        if header:
            field = header.group(1)
            continue
        ms, sep, en = line.partition("=")
        if not sep or not field:
            raise ValueError(f"glossary: not 'Malay = English' under a [field]: {raw!r}")
        ms_names, en_names = _names(ms), _names(en)
        if not ms_names or not en_names:
            raise ValueError(f"glossary: a side has no name: {raw!r}")
        term_id = _SLUG.sub("-", en_names[0].lower()).strip("-")
        terms.append(Term(term_id, field, ms_names, en_names))
    return tuple(terms)


#: Every subject, in the order of the table.
TERMS: tuple[Term, ...] = _parse(_TABLE)
#: The fields, in the order of the table.
FIELDS: tuple[str, ...] = tuple(dict.fromkeys(t.field for t in TERMS))


@cache
def _by_id() -> dict[str, Term]:
    out: dict[str, Term] = {}
    for t in TERMS:
        if t.id in out:
            raise ValueError(f"glossary: two subjects with the id {t.id!r}")
        out[t.id] = t
    return out


def by_id(term_id: str) -> Term:
    """The subject with this id; KeyError if there is none."""
    return _by_id()[term_id]
