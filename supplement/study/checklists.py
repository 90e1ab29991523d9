"""Reporting checklists for qualitative research, as data: COREQ (32 items) and SRQR (21 items).

Each item is (number, domain, topic, what the item asks). The texts are those of
the published checklists, shortened only where they gave examples in brackets:
COREQ, Tong A, Sainsbury P, Craig J. Int J Qual Health Care. 2007;19(6):349-357;
SRQR, O'Brien BC, Harris IB, Beckman TJ, Reed DA, Cook DA. Acad Med.
2014;89(9):1245-1251. A source says where its article reports each item
(``checklists: answers:``); resolve prints the checklist as a table.
"""

from __future__ import annotations

from supplement.records import Struct


class ChecklistDef(Struct, frozen=True):
    """A reporting checklist's items."""

    name: str  # what the source writes: coreq, srqr
    title: str  # the default caption
    columns: tuple[str, str, str, str, str]  # domain, number, topic, question, where reported
    items: tuple[tuple[str, str, str, str], ...]  # (number, domain, topic, question)

    def numbers(self) -> list[str]:
        return [n for n, *_ in self.items]


_T = "Domain 1: Research team and reflexivity"
_D = "Domain 2: Study design"
_A = "Domain 3: Analysis and findings"

COREQ = ChecklistDef("coreq", "Consolidated criteria for reporting qualitative research (COREQ): 32-item checklist.",
                     ("Domain", "No.", "Item", "Guide question", "Reported on page or section"), (
    ("1", _T, "Interviewer/facilitator", "Which author/s conducted the interview or focus group?"),
    ("2", _T, "Credentials", "What were the researcher's credentials? E.g. PhD, MD"),
    ("3", _T, "Occupation", "What was their occupation at the time of the study?"),
    ("4", _T, "Gender", "Was the researcher male or female?"),
    ("5", _T, "Experience and training", "What experience or training did the researcher have?"),
    ("6", _T, "Relationship established", "Was a relationship established prior to study commencement?"),
    ("7", _T, "Participant knowledge of the interviewer",
     "What did the participants know about the researcher? e.g. personal goals, reasons for doing the research"),
    ("8", _T, "Interviewer characteristics", "What characteristics were reported about the interviewer/facilitator? "
     "e.g. Bias, assumptions, reasons and interests in the research topic"),
    ("9", _D, "Methodological orientation and Theory", "What methodological orientation was stated to underpin the "
     "study? e.g. grounded theory, discourse analysis, ethnography, phenomenology, content analysis"),
    ("10", _D, "Sampling", "How were participants selected? e.g. purposive, convenience, consecutive, snowball"),
    ("11", _D, "Method of approach", "How were participants approached? e.g. face-to-face, telephone, mail, email"),
    ("12", _D, "Sample size", "How many participants were in the study?"),
    ("13", _D, "Non-participation", "How many people refused to participate or dropped out? Reasons?"),
    ("14", _D, "Setting of data collection", "Where was the data collected? e.g. home, clinic, workplace"),
    ("15", _D, "Presence of non-participants", "Was anyone else present besides the participants and researchers?"),
    ("16", _D, "Description of sample", "What are the important characteristics of the sample? e.g. demographic data, date"),
    ("17", _D, "Interview guide", "Were questions, prompts, guides provided by the authors? Was it pilot tested?"),
    ("18", _D, "Repeat interviews", "Were repeat interviews carried out? If yes, how many?"),
    ("19", _D, "Audio/visual recording", "Did the research use audio or visual recording to collect the data?"),
    ("20", _D, "Field notes", "Were field notes made during and/or after the interview or focus group?"),
    ("21", _D, "Duration", "What was the duration of the interviews or focus group?"),
    ("22", _D, "Data saturation", "Was data saturation discussed?"),
    ("23", _D, "Transcripts returned", "Were transcripts returned to participants for comment and/or correction?"),
    ("24", _A, "Number of data coders", "How many data coders coded the data?"),
    ("25", _A, "Description of the coding tree", "Did authors provide a description of the coding tree?"),
    ("26", _A, "Derivation of themes", "Were themes identified in advance or derived from the data?"),
    ("27", _A, "Software", "What software, if applicable, was used to manage the data?"),
    ("28", _A, "Participant checking", "Did participants provide feedback on the findings?"),
    ("29", _A, "Quotations presented", "Were participant quotations presented to illustrate the themes/findings? "
     "Was each quotation identified? e.g. participant number"),
    ("30", _A, "Data and findings consistent", "Was there consistency between the data presented and the findings?"),
    ("31", _A, "Clarity of major themes", "Were major themes clearly presented in the findings?"),
    ("32", _A, "Clarity of minor themes", "Is there a description of diverse cases or discussion of minor themes?"),
))

SRQR = ChecklistDef("srqr", "Standards for Reporting Qualitative Research (SRQR): 21 items.",
                    ("Section", "No.", "Topic", "Item", "Reported on page or section"), (
    ("S1", "Title and abstract", "Title", "Concise description of the nature and topic of the study; identifying the "
     "study as qualitative or indicating the approach or data collection methods is recommended"),
    ("S2", "Title and abstract", "Abstract", "Summary of key elements of the study using the abstract format of the "
     "intended publication; typically includes background, purpose, methods, results, and conclusions"),
    ("S3", "Introduction", "Problem formulation", "Description and significance of the problem/phenomenon studied; "
     "review of relevant theory and empirical work; problem statement"),
    ("S4", "Introduction", "Purpose or research question", "Purpose of the study and specific objectives or questions"),
    ("S5", "Methods", "Qualitative approach and research paradigm", "Qualitative approach and guiding theory if "
     "appropriate; identifying the research paradigm is also recommended; rationale"),
    ("S6", "Methods", "Researcher characteristics and reflexivity", "Researchers' characteristics that may influence "
     "the research, including personal attributes, qualifications/experience, relationship with participants, "
     "assumptions, and/or presuppositions; potential or actual interaction between researchers' characteristics and "
     "the research questions, approach, methods, results, and/or transferability"),
    ("S7", "Methods", "Context", "Setting/site and salient contextual factors; rationale"),
    ("S8", "Methods", "Sampling strategy", "How and why research participants, documents, or events were selected; "
     "criteria for deciding when no further sampling was necessary; rationale"),
    ("S9", "Methods", "Ethical issues pertaining to human subjects", "Documentation of approval by an appropriate "
     "ethics review board and participant consent, or explanation for lack thereof; other confidentiality and data "
     "security issues"),
    ("S10", "Methods", "Data collection methods", "Types of data collected; details of data collection procedures "
     "including start and stop dates of data collection and analysis, iterative process, triangulation of "
     "sources/methods, and modification of procedures in response to evolving study findings; rationale"),
    ("S11", "Methods", "Data collection instruments and technologies", "Description of instruments and devices used "
     "for data collection; if/how the instrument(s) changed over the course of the study"),
    ("S12", "Methods", "Units of study", "Number and relevant characteristics of participants, documents, or events "
     "included in the study; level of participation"),
    ("S13", "Methods", "Data processing", "Methods for processing data prior to and during analysis, including "
     "transcription, data entry, data management and security, verification of data integrity, data coding, and "
     "anonymization/de-identification of excerpts"),
    ("S14", "Methods", "Data analysis", "Process by which inferences, themes, etc., were identified and developed, "
     "including the researchers involved in data analysis; usually references a specific paradigm or approach; "
     "rationale"),
    ("S15", "Methods", "Techniques to enhance trustworthiness", "Techniques to enhance trustworthiness and "
     "credibility of data analysis; rationale"),
    ("S16", "Results/findings", "Synthesis and interpretation", "Main findings; might include development of a "
     "theory or model, or integration with prior research or theory"),
    ("S17", "Results/findings", "Links to empirical data", "Evidence (e.g., quotes, field notes, text excerpts, "
     "photographs) to substantiate analytic findings"),
    ("S18", "Discussion", "Integration with prior work, implications, transferability, and contribution(s) to the "
     "field", "Short summary of main findings; explanation of how findings and conclusions connect to, support, "
     "elaborate on, or challenge conclusions of earlier scholarship; discussion of scope of application/"
     "generalizability; identification of unique contribution(s) to scholarship in a discipline or field"),
    ("S19", "Discussion", "Limitations", "Trustworthiness and limitations of findings"),
    ("S20", "Other", "Conflicts of interest", "Potential sources of influence or perceived influence on study conduct "
     "and conclusions; how these were managed"),
    ("S21", "Other", "Funding", "Sources of funding and other support; role of funders in data collection, "
     "interpretation, and reporting"),
))

CHECKLISTS = {c.name: c for c in (COREQ, SRQR)}


def item_key(number: str) -> str:
    """'S17', 's17', '17' (in SRQR) and ' 17 ' all name item 17: the number without its S."""
    return str(number).strip().upper().lstrip("S")
