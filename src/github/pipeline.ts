/**
 * The contract between the GitHub front and the analysis pipeline. The app fetches the trees,
 * reads the config and handles GitHub; the pipeline turns two trees into a verdict and text.
 */
export interface ReviewInput {
  repo: { owner: string; name: string };
  pullNumber: number;
  headSha: string;
  baseSha: string;
  /** Local directories holding the repository at base and head (extracted tarballs). */
  baseDir: string;
  headDir: string;
  /** dbt project folders inside the repo (relative, '' for the root): every dbt_project.yml, or config `projects`. */
  projectDirs: string[];
  changedFiles: { filename: string; status: string; previous_filename?: string }[];
  /** GitHub's 3,000-file cap on the PR files API was hit: the list is incomplete. */
  changedFilesTruncated: boolean;
  /**
   * `.github/impact-review.yml` read at the BASE commit: a pull request must not be able to
   * rewrite the policy that reviews it (lower its thresholds, drop a required team).
   */
  configText: string | null;
  /** `/impact full`: also diff every downstream model. */
  full: boolean;
  isFork: boolean;
  /** Aborted when a newer push supersedes this run. */
  signal: AbortSignal;
  /** Bytes fetched from GitHub (base and head tarballs, compressed) and the per-tarball cap in force. */
  fetched?: { base: number; head: number; limit: number };
  /**
   * Entries of the head tarball that were not extracted (symlinks, `../` paths, binary files), as
   * downloadTree reports them: the review names each one inside a project.
   */
  skipped?: { path: string; reason: string }[];
}

export interface RequiredApproval {
  team: string;
  reasons: string[];
}

export interface ReviewOutput {
  verdict: 'SAFE' | 'NEEDS_REVIEW' | 'NOT_SAFE' | 'NO_CHANGES' | 'ERROR';
  /** Check run title. */
  title: string;
  requiredApprovals: RequiredApproval[];
  /**
   * Renders the PR comment body given who has approved so far (team → approving logins).
   * The app owns the approvals checklist: if the body holds the approvals markers the app
   * replaces what is between them, otherwise it appends its own section.
   */
  renderComment(approved: Record<string, string[]>): string;
  renderCheckSummary(approved: Record<string, string[]>): string;
}

export type ReviewPipeline = (input: ReviewInput) => Promise<ReviewOutput>;

export interface ConfigSummary {
  blocked_conclusion: 'failure' | 'action_required';
  per_team: number;
  review: 'none' | 'comment' | 'request_changes';
  request_team_reviews: boolean;
  max_concurrency: number;
}
