/** One page of projects with previous/next paging, open and (confirmed) delete. */
import { useState } from "react";
import type { Page, Project } from "../api/types";
import type { ApiError } from "../api/errors";
import { ErrorAlert } from "./ErrorAlert";

interface ProjectListProps {
  page: Page<Project> | null;
  loading: boolean;
  error: ApiError | null;
  onOpen(project: Project): void;
  onDelete(project: Project): Promise<void>;
  onPage(offset: number): void;
}

export function ProjectList({ page, loading, error, onOpen, onDelete, onPage }: ProjectListProps) {
  const [confirming, setConfirming] = useState<Project["id"] | null>(null);

  return (
    <section aria-labelledby="projects-heading" className="project-list">
      <h2 id="projects-heading">Projects</h2>
      {loading && <p role="status">Loading projects…</p>}
      <ErrorAlert error={error} />
      {page && page.items.length === 0 && !loading && <p>No projects yet. Create the first one above.</p>}
      {page && page.items.length > 0 && (
        <ul aria-label="Projects">
          {page.items.map((project) => (
            <li key={project.id}>
              <div className="project-summary">
                <strong className="project-name" title={project.name}>
                  {project.name}
                </strong>
                {project.description && <span className="project-description">{project.description}</span>}
              </div>
              <div className="actions">
                <button type="button" aria-label={`Open ${project.name}`} onClick={() => onOpen(project)}>
                  Open
                </button>
                {confirming === project.id ? (
                  <>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Confirm delete ${project.name}`}
                      onClick={() => {
                        setConfirming(null);
                        void onDelete(project);
                      }}
                    >
                      Confirm delete
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <button type="button" aria-label={`Delete ${project.name}`} onClick={() => setConfirming(project.id)}>
                    Delete
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {page && page.total > 0 && <Pager page={page} onPage={onPage} />}
    </section>
  );
}

function Pager({ page, onPage }: { page: Page<Project>; onPage(offset: number): void }) {
  const first = page.offset + 1;
  const last = Math.min(page.offset + page.items.length, page.total);
  return (
    <nav aria-label="Pagination" className="pager">
      <button type="button" disabled={page.offset === 0} onClick={() => onPage(Math.max(0, page.offset - page.limit))}>
        Previous
      </button>
      <span role="status" aria-live="polite">
        {first}–{last} of {page.total}
      </span>
      <button
        type="button"
        disabled={page.offset + page.limit >= page.total}
        onClick={() => onPage(page.offset + page.limit)}
      >
        Next
      </button>
    </nav>
  );
}
