import { describe, expect, it } from 'vitest';
import { renderFeedbackNote } from './itsm.js';
import { compiledTemplates } from './templates.js';

// Its own file (own module instance): no other test has compiled a template yet.
describe('templates compiled on first use', () => {
  it('a worker writing a note compiles that template only, never the pages', () => {
    expect(compiledTemplates()).toEqual([]);
    renderFeedbackNote({ scale: 'csat', score: 4, comment: null, customer: 'Riley', answeredAt: new Date('2026-01-01T00:00:00Z'), answerUrl: 'https://f.example/a', marker: 'FB-A1-x', previousScore: null, detractor: false, taskDueAt: null });
    expect(compiledTemplates()).toEqual(['itsm/feedback-note.text']);
  });
});
