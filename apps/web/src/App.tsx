/** The projects app: create and list projects, or work inside one project; each view has a URL. */
import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "./api/context";
import { asApiError, type ApiError } from "./api/errors";
import type { Page, Project, ProjectInput } from "./api/types";
import { ProjectDetail } from "./components/ProjectDetail";
import { ProjectForm } from "./components/ProjectForm";
import { ProjectList } from "./components/ProjectList";
import { ErrorAlert } from "./components/ErrorAlert";
import { SignedInAs } from "./components/SignedInAs";
import { navigate, useRoute } from "./routing";

export const PAGE_SIZE = 10;

export function App({ pageSize = PAGE_SIZE }: { pageSize?: number }) {
  const api = useApi();
  const route = useRoute();
  const listPage = useRef(1); // the list page to return to from a project
  if (route.view === "list") listPage.current = route.page;
  const offset = (listPage.current - 1) * pageSize;
  const [page, setPage] = useState<Page<Project> | null>(null);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<ApiError | null>(null);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState("");

  const load = useCallback(async () => {
    setLoading(true);
    setListError(null);
    try {
      const loaded = await api.listProjects(pageSize, offset);
      // A delete (or an old link) can point past the end: go to the last page that has rows.
      if (loaded.items.length === 0 && loaded.offset > 0) {
        navigate({ view: "list", page: Math.max(1, Math.ceil(loaded.total / pageSize)) }, { replace: true });
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
    if (route.view === "list") void load();
  }, [load, route.view]);

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
        <SignedInAs />
      </header>
      {route.view === "project" ? (
        <ProjectDetail
          projectId={route.id}
          onBack={() => navigate({ view: "list", page: listPage.current })}
          onChanged={(project) => setNotice(`Saved ${project.name}.`)}
        />
      ) : (
        <>
          <ProjectForm title="New project" submitLabel="Create project" resetOnSuccess onSubmit={create} draftKey="/#new" />
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
              navigate({ view: "project", id: project.id });
            }}
            onDelete={remove}
            onPage={(nextOffset) => navigate({ view: "list", page: Math.floor(nextOffset / pageSize) + 1 })}
          />
        </>
      )}
    </main>
  );
}
