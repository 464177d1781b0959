/**
 * Word lists for comment themes, one per shipped language (templates/locales: en, de), lower-case.
 * Hand-written on purpose: they are short, reviewable, and a change shows up in a diff.
 * Words shorter than 3 letters are listed for completeness even though the tokeniser drops them anyway.
 */

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Negations are stop words on their own but may start a phrase ("not fixed", "keine rückmeldung"). */
export const NEGATIONS: ReadonlySet<string> = new Set(
  words(`
    not no never nothing nobody none nor cannot without
    don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't haven't hasn't hadn't shouldn't
    dont doesnt didnt isnt arent wasnt werent wouldnt cant couldnt havent hasnt hadnt shouldnt
    nicht nie niemals nichts niemand kein keine keinen keinem keiner keines ohne
  `),
);

const ENGLISH = words(`
  a about above after again against all almost along already also although always am among an and another any
  anyone anything anyway are around as at be became because become been before being below between both but by
  can could did do does doing done down during each either else enough etc even ever every everyone everything
  few for from further get gets getting got had has have having he her here hers herself him himself his how
  however i i'm i've i'll i'd if in into is it it'll its itself just least less let let's like made make many
  may me might mine more most much must my myself neither next now of off often on once one only onto or other
  others otherwise our ours ourselves out over own per perhaps quite rather really same say said see seem seems
  she should since so some someone something sometimes still such than that that's the their theirs them
  themselves then there there's these they they're they've this those though through thus till to too toward
  towards under until up upon us very via was we we're we've well were what what's whatever when where whether
  which while who whom whose why will with within would yet you you're you've your yours yourself yourselves
`);

const GERMAN = words(`
  aber alle allem allen aller alles als also am an andere anderen anderer anderes auch auf aus bei beim bin bis
  bist da dabei dadurch daher damit dann darauf darum das dass dem den denen denn der deren des dessen dich die
  dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einige
  einmal er es etwa etwas euch euer eure für gegen gewesen habe haben hat hatte hatten hier hin hinter ich ihm
  ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in ins ist ja jede jedem jeden jeder jedes jedoch jetzt
  kann kannst können könnte man manche mehr mein meine meinem meinen meiner meines mich mir mit muss musste
  nach noch nun nur ob oder ohne schon sehr sein seine seinem seinen seiner seines seit sich sie sind so solche
  soll sollte sondern sonst über um und uns unser unsere unter viel vom von vor wann war waren warum was weil
  welche welchem welchen welcher welches wenn wer werde werden wie wieder will wir wird wo wollen worden wurde
  wurden zu zum zur zwar zwischen bereits eigentlich eben ganz gerade gibt geht mal halt wäre würde würden
  hätte hätten sei seien habt sollen müssen dürfen darf mag
`);

/** Survey noise: words nearly every support comment contains, so they explain nothing. */
const NOISE = words(`
  ticket tickets thanks thank thankyou thx please pls issue issues regards hello dear
  danke dankeschön vielen dank bitte hallo gruß grüße mfg anliegen
`);

export const STOP_WORDS: ReadonlySet<string> = new Set([...ENGLISH, ...GERMAN, ...NOISE, ...NEGATIONS]);
