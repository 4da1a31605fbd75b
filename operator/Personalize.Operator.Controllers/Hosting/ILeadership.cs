namespace Personalize.Operator.Controllers.Hosting;

/// <summary>Runs <c>lead</c> while this replica holds leadership, cancelling it when leadership is lost, again and again.</summary>
public interface ILeadership
{
    Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken);
}
