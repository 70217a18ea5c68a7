// Fixed creation times so listings do not depend on the clock (they are facts about the model).
const MODEL_CREATED = 1_715_367_049;

/** A model object as `GET /v1/models/{id}` returns it; any id is accepted. */
export function modelObject(id: string): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'system' };
}

/** The `GET /v1/models` list body. */
export function modelsListBody(models: readonly string[]): { object: 'list'; data: ReturnType<typeof modelObject>[] } {
  return { object: 'list', data: models.map(modelObject) };
}
