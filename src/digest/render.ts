import type { Figures } from '../analytics/types.js';
import { interpolate, messagesFor, resolveLocale, type Messages } from '../render/locales.js';
import { singleLine } from '../render/sanitize.js';
import { renderTemplate } from '../render/templates.js';
import { SCALES, type Scale } from '../rules/scales.js';
import type { DigestContent } from './content.js';

/**
 * The digest email (HTML and text) from its content, in the team's language. Every value reaches
 * the templates (templates/email/digest.*.hbs) as plain strings: customer comments verbatim, escaped
 * by Handlebars in the HTML part (the text part is plain text), links only through {{href}}.
 */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  locale: string;
}

const SCALE_NAME: Record<Scale, string> = { csat: 'CSAT', nps: 'NPS', ces: 'CES' };

function formats(locale: string, timeZone: string) {
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const one = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const integer = new Intl.NumberFormat(locale);
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const moment = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${integer.format(Math.abs(Math.round(x)))}`;
  return {
    percent: (x: number | null | undefined) => (x === null || x === undefined ? '—' : percent.format(x)),
    count: (n: number) => integer.format(n),
    day: (d: Date) => day.format(d),
    moment: (d: Date) => moment.format(d),
    /** CSAT as a share, NPS signed, CES with one decimal. */
    value: (scale: Scale, v: number | null | undefined) => (v === null || v === undefined ? '—' : scale === 'csat' ? percent.format(v) : scale === 'nps' ? signed(v) : one.format(v)),
  };
}

type Formats = ReturnType<typeof formats>;

function headline(f: Figures, scale: Scale): { value: number | null; low: number | null; high: number | null; n: number } {
  if (scale === 'csat') return { value: f.csat?.share ?? null, low: f.csat?.interval?.low ?? null, high: f.csat?.interval?.high ?? null, n: f.csat?.n ?? 0 };
  if (scale === 'nps') return { value: f.nps?.score ?? null, low: f.nps?.interval?.low ?? null, high: f.nps?.interval?.high ?? null, n: f.nps?.n ?? 0 };
  return { value: f.ces?.mean ?? null, low: f.ces?.interval?.low ?? null, high: f.ces?.interval?.high ?? null, n: f.ces?.n ?? 0 };
}

function view(c: DigestContent, m: Messages['digest'], fmt: Formats) {
  const lastDay = new Date(c.week.to.getTime() - 1);
  const scale = c.scale;
  const now = scale && !c.withheld ? headline(c.figures, scale) : null;
  const before = scale && c.previous ? headline(c.previous, scale) : null;
  const score =
    scale && now && now.value !== null
      ? {
          line: interpolate(m.scoreLine, { scale: SCALE_NAME[scale], value: fmt.value(scale, now.value) }),
          margin: now.low !== null && now.high !== null ? interpolate(m.margin, { low: fmt.value(scale, now.low), high: fmt.value(scale, now.high), n: fmt.count(now.n) }) : null,
          change: before && before.value !== null ? interpolate(m.change, { change: `${fmt.value(scale, before.value)} → ${fmt.value(scale, now.value)}` }) : m.noPrevious,
        }
      : null;
  const metricText = (metric: DigestContent['targets'][number]['metric'], v: number | null) => (metric === 'nps' ? fmt.value('nps', v) : fmt.percent(v));
  const funnel = c.figures.funnel;
  return {
    heading: interpolate(m.heading, { team: c.team.label }),
    period: interpolate(m.period, { from: fmt.day(c.week.from), to: fmt.day(lastDay), zone: c.week.timeZone }),
    intro: m.intro,
    withheld: c.withheld ? interpolate(m.withheld, { min: c.minGroupSize }) : null,
    score,
    noAnswers: !c.withheld && !score ? m.noAnswers : null,
    targets: c.targets
      .filter((t) => t.status !== null)
      .map((t) => ({ text: interpolate(m.target, { metric: m.targetMetric[t.metric], value: metricText(t.metric, t.value), target: metricText(t.metric, t.target), status: m.targetStatus[t.status!] }), status: t.status! })),
    trend: scale
      ? {
          title: interpolate(m.trendTitle, { weeks: c.trend.length }),
          rows: c.trend.map((w) => ({
            week: fmt.day(new Date(`${w.start}T12:00:00Z`)),
            answers: w.figures ? fmt.count(w.figures.funnel.answered) : '—',
            score: w.figures ? fmt.value(scale, headline(w.figures, scale).value) : m.trendHidden,
          })),
        }
      : null,
    response: c.withheld ? null : interpolate(m.responseLine, { rate: fmt.percent(funnel.responseRate), answered: fmt.count(funnel.answered), sent: fmt.count(funnel.sent) }),
    commentsTitle: interpolate(m.commentsTitle, { count: fmt.count(c.comments.length + c.moreComments) }),
    comments: c.comments.map((x) => ({
      ticket: x.ticket,
      ticketUrl: x.ticketUrl,
      score: `${SCALE_NAME[x.scale]} ${x.score}/${SCALES[x.scale].max}`,
      unhappy: x.detractor,
      text: x.text,
      when: fmt.moment(x.answeredAt),
    })),
    moreComments: c.moreComments ? interpolate(m.commentsMore, { count: fmt.count(c.moreComments) }) : null,
    themes: c.themes.map((t) => interpolate(m.themeLine, { term: t.term, count: fmt.count(t.count), share: fmt.percent(t.share), previous: fmt.percent(t.previousShare) })),
    followUpsLine: interpolate(m.followUpsLine, { open: fmt.count(c.followUps.open), overdue: fmt.count(c.followUps.overdueNow) }),
    followUps: c.followUps.items.map((f) => ({
      ticket: f.ticket,
      ticketUrl: f.ticketUrl,
      task: f.task,
      due: interpolate(f.overdue ? m.followUpOverdue : m.followUpDue, { date: fmt.moment(f.dueAt) }),
      overdue: f.overdue,
    })),
    initiatives: c.initiatives.map((i) => ({ title: i.title, owner: i.owner ? interpolate(m.initiativeOwner, { owner: i.owner }) : null, addresses: i.addresses.join(', '), url: i.url })),
    dashboardUrl: c.dashboardUrl,
    footer: interpolate(m.footer, { team: c.team.label, connector: c.connector.name }),
  };
}

export function renderDigest(c: DigestContent, requestedLocale: string): RenderedDigest {
  const locale = resolveLocale(requestedLocale, 'en');
  const messages = messagesFor(locale);
  const m = messages.digest;
  const fmt = formats(locale, c.week.timeZone);
  const subject = singleLine(interpolate(m.subject, { team: c.team.label, date: fmt.day(c.week.from) }), 150);
  const context = { lang: locale, subject, m, ...view(c, m, fmt) };
  const data = { messages, locale };
  return { subject, html: renderTemplate('email/digest.html', context, data), text: renderTemplate('email/digest.text', context, data), locale };
}
