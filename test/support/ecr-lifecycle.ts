/**
 * ECR's lifecycle policy engine, as the Amazon ECR User Guide describes it ("Lifecycle policy evaluation rules" and
 * "Lifecycle policy parameters"), to judge a policy by what it would expire:
 * - rules run in rulePriority order; an `any` rule must come last; only one rule may select `untagged`;
 * - `tagged` needs exactly one of tagPrefixList / tagPatternList; an image is selected when EVERY entry of the list
 *   matches one of its tags (a prefix by prefix, a pattern as a whole with `*` for any characters, at most 4 `*`);
 * - `imageCountMoreThan` N marks the selected images after the N most recently pushed; `sinceImagePushed` N days
 *   marks those pushed more than N days ago;
 * - an image selected by a rule is never expired by a later rule (it still counts for the later rule's count).
 */

export interface RegistryImage {
  readonly digest: string;
  readonly tags: readonly string[];
  /** Days since some origin; larger is newer. */
  readonly pushedAtDay: number;
}

interface Rule {
  readonly rulePriority: number;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: readonly string[];
    readonly tagPatternList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

/** Parses a LifecyclePolicyText and refuses what ECR refuses; returns the rules in evaluation order. */
export function parseLifecyclePolicy(text: string): Rule[] {
  const rules = [...(JSON.parse(text) as { rules: Rule[] }).rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const priorities = new Set(rules.map((rule) => rule.rulePriority));
  if (priorities.size !== rules.length) throw new Error('rulePriority values must be unique');
  const anyIndex = rules.findIndex((rule) => rule.selection.tagStatus === 'any');
  if (anyIndex >= 0 && anyIndex !== rules.length - 1) throw new Error("the 'any' rule must have the highest priority");
  if (rules.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) {
    throw new Error('only one rule may select untagged images');
  }
  for (const { selection } of rules) {
    const lists = [selection.tagPrefixList, selection.tagPatternList].filter((list) => list !== undefined);
    if (selection.tagStatus === 'tagged' && lists.length !== 1) {
      throw new Error('a tagged rule needs exactly one of tagPrefixList and tagPatternList');
    }
    if (selection.tagStatus !== 'tagged' && lists.length > 0) throw new Error('tag lists need tagStatus tagged');
    for (const pattern of selection.tagPatternList ?? []) {
      if ((pattern.match(/\*/g) ?? []).length > 4) throw new Error(`'${pattern}' has more than 4 wildcards`);
    }
    if (selection.countType === 'sinceImagePushed' && selection.countUnit !== 'days') {
      throw new Error('sinceImagePushed counts days');
    }
    if (!(selection.countNumber >= 1)) throw new Error('countNumber must be at least 1');
  }
  return rules;
}

/** Whether a tagPatternList entry matches the tag: as a whole, `*` standing for any characters (none included). */
export function patternMatches(pattern: string, tag: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(tag);
}

function selects(rule: Rule, image: RegistryImage): boolean {
  const { selection } = rule;
  if (selection.tagStatus === 'any') return true;
  if (selection.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (selection.tagPrefixList) {
    return selection.tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
  }
  return (selection.tagPatternList ?? []).every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)));
}

/** The digests the policy expires from the repository on day `today`. */
export function expiredImages(policyText: string, images: readonly RegistryImage[], today: number): Set<string> {
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of parseLifecyclePolicy(policyText)) {
    const selected = images.filter((image) => selects(rule, image));
    const { countType, countNumber } = rule.selection;
    const marked =
      countType === 'imageCountMoreThan'
        ? [...selected].sort((a, b) => b.pushedAtDay - a.pushedAtDay).slice(countNumber)
        : selected.filter((image) => today - image.pushedAtDay > countNumber);
    for (const image of marked) if (!claimed.has(image.digest)) expired.add(image.digest);
    for (const image of selected) claimed.add(image.digest);
  }
  return expired;
}
