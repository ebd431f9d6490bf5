/** Shapes of the Innovate projects API (v1). */

export type Id = number | string;

export interface Project {
  id: Id;
  name: string;
  description: string | null;
  /** The signed-in user who created it (the ALB's `sub`); only they may change it. */
  owner?: string | null;
  created_at: string;
  updated_at: string;
}

export interface Item {
  id: Id;
  title: string;
  done: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface ProjectInput {
  name: string;
  description?: string | null;
}

/** The signed-in user (GET /api/v1/me): the load balancer's verified claims. */
export interface Me {
  sub: string;
  email: string | null;
}
