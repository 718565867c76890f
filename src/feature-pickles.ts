import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType, type Pickle } from '@cucumber/messages';
import parseTagExpression from '@cucumber/tag-expressions';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FEATURES_DIR, PROJECT_ROOT } from './paths';

/**
 * The scenarios the features hold, as Cucumber compiles them (with their tags, which
 * Cucumber's own `loadSources` plan leaves out), narrowed the way a run narrows them:
 * by a tag expression and by name patterns (any of them).
 */
export function featurePickles(tagExpression = '', names: string[] = []): Pickle[] {
  const matchesTags = tagExpression ? parseTagExpression(tagExpression) : undefined;
  const patterns = names.map((name) => new RegExp(name));
  const newId = IdGenerator.incrementing();
  return readdirSync(FEATURES_DIR)
    .filter((file) => file.endsWith('.feature'))
    .sort()
    .flatMap((file) => {
      const uri = relative(PROJECT_ROOT, join(FEATURES_DIR, file));
      const envelopes = generateMessages(readFileSync(join(FEATURES_DIR, file), 'utf8'), uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, { includePickles: true, newId });
      return envelopes.flatMap((envelope) => (envelope.pickle ? [envelope.pickle] : []));
    })
    .filter((pickle) => !matchesTags || matchesTags.evaluate(pickle.tags.map((tag) => tag.name)))
    .filter((pickle) => patterns.length === 0 || patterns.some((pattern) => pattern.test(pickle.name)));
}
