/** One project: its details, an edit form and its items. */
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import { asApiError, type ApiError } from "../api/errors";
import type { Id, Project, ProjectInput } from "../api/types";
import { readDraft } from "../drafts";
import { ErrorAlert } from "./ErrorAlert";
import { ProjectForm } from "./ProjectForm";
import { ProjectItems } from "./ProjectItems";

interface ProjectDetailProps {
  projectId: Id;
  onBack(): void;
  onChanged(project: Project): void;
}

export function ProjectDetail({ projectId, onBack, onChanged }: ProjectDetailProps) {
  const api = useApi();
  const [project, setProject] = useState<Project | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const draftKey = `/projects/${projectId}#edit`;
  // input kept while signing in again (drafts.ts) reopens the form that held it
  const [editing, setEditing] = useState(() => readDraft(draftKey) !== null);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    let live = true;
    setProject(null);
    setError(null);
    api.getProject(projectId).then(
      (loaded) => live && setProject(loaded),
      (caught) => live && setError(asApiError(caught)),
    );
    return () => {
      live = false;
    };
  }, [api, projectId]);

  async function save(input: ProjectInput) {
    const updated = await api.updateProject(projectId, input);
    setProject(updated);
    setEditing(false);
    setNotice(`Saved ${updated.name}.`);
    onChanged(updated);
  }

  return (
    <section aria-label="Project" className="project-detail">
      <button type="button" onClick={onBack}>
        ← Back to projects
      </button>
      {!project && !error && <p role="status">Loading project…</p>}
      <ErrorAlert error={error} />
      {project && (
        <>
          <h2>{project.name}</h2>
          {project.description && <p className="project-description">{project.description}</p>}
          {project.owner && <p className="project-owner">Owner: {project.owner}</p>}
          {notice && <p role="status">{notice}</p>}
          {editing ? (
            <ProjectForm
              title="Edit project"
              submitLabel="Save changes"
              initial={{ name: project.name, description: project.description ?? "" }}
              onSubmit={save}
              onCancel={() => setEditing(false)}
              draftKey={draftKey}
            />
          ) : (
            <button
              type="button"
              onClick={() => {
                setNotice("");
                setEditing(true);
              }}
            >
              Edit project
            </button>
          )}
          <ProjectItems projectId={project.id} />
        </>
      )}
    </section>
  );
}
