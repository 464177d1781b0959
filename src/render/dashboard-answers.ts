import type { AnswerList } from '../analytics/dashboard/answers.js';
import { SCALES, type Scale } from '../rules/scales.js';
import { analyticsAssets } from './analytics-assets.js';
import { DIMENSION_TEXT } from './dashboard-actions.js';
import { messagesFor } from './locales.js';
import { renderTemplate } from './templates.js';
import type { Dimension } from '../rules/dimensions.js';

const NONE = '—';
const n = (x: number) => new Intl.NumberFormat('en-GB').format(x);
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}`;

/** The drill-down page (templates/pages/dashboard-answers.hbs) from a loaded answer list. */
export function renderAnswerList(list: AnswerList): string {
  const f = list.filter;
  const base = Object.entries({ from: f.from, to: f.to, connector: f.connector, team: f.team, category: f.category, priority: f.priority }).filter(([, v]) => v !== '');
  const query = (extra: Record<string, string>) => new URLSearchParams([...base, ...Object.entries(extra).filter(([, v]) => v !== '')]).toString();
  const own = { status: f.status === 'answered' ? '' : f.status, detractor: f.detractor ? '1' : '', scale: f.scale, score: f.score === null ? '' : String(f.score), period: f.period, interval: f.period ? f.interval : '' };
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const what = [f.detractor ? 'Detractors' : f.status === 'all' ? 'Surveys sent' : f.status === 'unanswered' ? 'Unanswered surveys' : 'Answers', f.scale ? `(${f.scale.toUpperCase()}${f.score !== null ? ` ${f.score}` : ''})` : ''].filter(Boolean).join(' ');
  const scope = [f.connector || 'all connectors', f.team || 'all teams', f.category && `category ${f.category}`, f.priority && `priority ${f.priority}`, f.period && `${f.interval} of ${f.period}`].filter(Boolean).join(' · ');
  return renderTemplate(
    'pages/dashboard-answers',
    {
      pageTitle: `${what} – customer feedback`,
      noindex: true,
      cssUrl: analyticsAssets().css.url,
      scripts: [],
      heading: what,
      periodText: `${f.from} – ${f.to}`,
      scopeText: scope,
      backUrl: `/admin/dashboard?${query({ interval: f.interval })}`,
      countText: `${n(list.total)} ${list.total === 1 ? 'survey' : 'surveys'}`,
      pageText: pages > 1 ? `page ${n(list.page)} of ${n(pages)}` : '',
      rows: list.rows.map((r) => {
        const scale = (r.scale in SCALES ? r.scale : null) as Scale | null;
        return {
          ticket: r.ticket,
          ticketUrl: r.ticketUrl,
          when: `${when(r.at)}${r.answered ? '' : ' (sent)'}`,
          team: r.team,
          category: r.category || NONE,
          priority: r.priority || NONE,
          scoreText: r.score === null ? 'not answered' : scale ? `${scale.toUpperCase()} ${r.score} / ${SCALES[scale].max}` : String(r.score),
          unhappy: r.detractor,
          whatMattered: r.whatMattered ? DIMENSION_TEXT[r.whatMattered as Dimension]?.name ?? r.whatMattered : NONE,
          followUp: r.followUp ?? NONE,
          comment: r.comment ?? '',
        };
      }),
      pager:
        pages > 1
          ? {
              text: `${n(list.page)} / ${n(pages)}`,
              prev: list.page > 1 ? `/admin/dashboard/answers?${query({ ...own, page: String(list.page - 1) })}` : null,
              next: list.page < pages ? `/admin/dashboard/answers?${query({ ...own, page: String(list.page + 1) })}` : null,
            }
          : null,
    },
    { messages: messagesFor('en'), locale: 'en' },
  );
}
