/** The projects app: create and list projects, or work inside one project. */
import { useCallback, useEffect, useState } from "react";
import { useApi } from "./api/context";
import { asApiError, type ApiError } from "./api/errors";
import type { Id, Page, Project, ProjectInput } from "./api/types";
import { ProjectDetail } from "./components/ProjectDetail";
import { ProjectForm } from "./components/ProjectForm";
import { ProjectList } from "./components/ProjectList";
import { ErrorAlert } from "./components/ErrorAlert";

export const PAGE_SIZE = 10;

export function App({ pageSize = PAGE_SIZE }: { pageSize?: number }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<Project> | null>(null);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<ApiError | null>(null);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [openId, setOpenId] = useState<Id | null>(null);
  const [notice, setNotice] = useState("");

  const load = useCallback(async () => {
    setLoading(true);
    setListError(null);
    try {
      const loaded = await api.listProjects(pageSize, offset);
      // A delete can leave an empty page behind: step back to the last page that has rows.
      if (loaded.items.length === 0 && loaded.offset > 0 && loaded.total > 0) {
        setOffset(Math.max(0, Math.floor((loaded.total - 1) / pageSize) * pageSize));
        return;
      }
      setPage(loaded);
    } catch (caught) {
      setListError(asApiError(caught));
    } finally {
      setLoading(false);
    }
  }, [api, offset, pageSize]);

  useEffect(() => {
    if (openId === null) void load();
  }, [load, openId]);

  async function create(input: ProjectInput) {
    const project = await api.createProject(input);
    setNotice(`Created ${project.name}.`);
    await load();
  }

  async function remove(project: Project) {
    setDeleteError(null);
    try {
      await api.deleteProject(project.id);
      setNotice(`Deleted ${project.name}.`);
      await load();
    } catch (caught) {
      setDeleteError(asApiError(caught));
    }
  }

  return (
    <main className="app">
      <header>
        <h1>Innovate Projects</h1>
      </header>
      {openId !== null ? (
        <ProjectDetail
          projectId={openId}
          onBack={() => setOpenId(null)}
          onChanged={(project) => setNotice(`Saved ${project.name}.`)}
        />
      ) : (
        <>
          <ProjectForm title="New project" submitLabel="Create project" resetOnSuccess onSubmit={create} />
          {notice && (
            <p role="status" className="notice">
              {notice}
            </p>
          )}
          <ErrorAlert error={deleteError} />
          <ProjectList
            page={page}
            loading={loading}
            error={listError}
            onOpen={(project) => {
              setNotice("");
              setOpenId(project.id);
            }}
            onDelete={remove}
            onPage={setOffset}
          />
        </>
      )}
    </main>
  );
}
